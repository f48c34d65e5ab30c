import CNNFormats
import CNNGraph
import CNNSpec

/// Translates an ONNX graph into a spec and its weights (`cnnc import`).
///
/// The importer walks the nodes in dependency order, keeping for each ONNX value what it is on
/// the spec's side: known values (initializers, constants, folded shapes), or a feature that a
/// spec layer computes, in the spec's channels-last layout. Each operator maps to spec layers;
/// what the spec writes as a layer option (an activation, a bias, a batch norm's scale) is folded
/// into the layer before it when nothing else reads that layer. Nodes that cannot be expressed are
/// all gathered into one error.
public struct OnnxImporter {
    /// Where a feature's values sit, on both sides.
    enum Layout: Equatable {
        /// ONNX [N, C, H, W]; the spec's [H, W, C].
        case map(height: Int, width: Int, channels: Int)
        /// ONNX [N, F]; the spec's [F]. When F came from flattening a [C, H, W] map, the spec's
        /// flatten (channels last) orders the features differently from ONNX's (channels first),
        /// and `flattened` holds the map's size, so that the layer reading it can permute its rows.
        case vector(count: Int, flattened: MapSize?)

        var onnxDims: [Int] {
            switch self {
            case .map(let height, let width, let channels): [Constant.batch, channels, height, width]
            case .vector(let count, _): [Constant.batch, count]
            }
        }

        var channels: Int {
            switch self {
            case .map(_, _, let channels): channels
            case .vector(let count, _): count
            }
        }
    }

    struct MapSize: Equatable {
        var height: Int, width: Int, channels: Int

        /// The ONNX (channels-first) index of each spec (channels-last) feature.
        var onnxOrder: [Int] {
            var order: [Int] = []
            order.reserveCapacity(height * width * channels)
            for y in 0..<height {
                for x in 0..<width {
                    for c in 0..<channels { order.append((c * height + y) * width + x) }
                }
            }
            return order
        }
    }

    /// A tensor a spec layer computes.
    struct Feature {
        /// The layer's spec name, or "input".
        var layer: String
        var layout: Layout
        /// True when every value is known to be >= 0 (after a relu, say), so that zero padding
        /// before a max pool changes nothing.
        var nonNegative = false
    }

    enum Value {
        case constant(Constant)
        case feature(Feature)
        /// A feature map the ONNX graph holds as [N, H, W, C], the spec's own order
        /// (OnnxImporter+ChannelsLast.swift).
        case channelsLast(Feature)
        /// Part of gelu's erf form computed from `of` (OnnxImporter+Gelu.swift).
        case gelu(GeluPart, of: Feature)
        /// An initializer not decoded yet: weights are decoded when a node reads them, and their
        /// protobuf bytes dropped once their last reader has them.
        case initializer(Int)
        /// The output of a node that could not be imported; `data` when it would have been computed
        /// from the model's input rather than folded from constants.
        case unavailable(data: Bool)
    }

    var file: OnnxFile
    /// The graph's initializers, moved out of the model so that each can be dropped once read.
    var initializers: [Onnx_TensorProto] = []
    /// How many times each initializer has been read.
    var reads: [String: Int] = [:]
    var values: [String: Value] = [:]
    /// How many node inputs (and graph outputs) read each value, through Identity and Dropout.
    var uses: [String: Int] = [:]
    /// For values that are Identity or Dropout outputs: the value they pass on.
    var aliases: [String: String] = [:]
    var layers: [ImportedLayer] = []
    var layerIndex: [String: Int] = [:]
    var problems: [String] = []
    var notes: [String] = []
    /// The batch size the ONNX input fixes, if it fixes one: a reshape to [1, -1] then keeps the batch.
    var fixedBatch: Int?
    var inputLayout = Layout.vector(count: 0, flattened: nil)
    /// The node being imported, for the layers it adds.
    var origin = ""
    var originType = ""
    /// The node's own name, empty when it has none (layers are then named by their type).
    var originName = ""

    package init(_ file: consuming OnnxFile) {
        self.file = file
        initializers = self.file.model.graph.initializer
        self.file.model.graph.initializer = []
    }

    var opset: Int { file.opset }

    /// The spec and weights, or one error naming every node that cannot be imported.
    public static func importModel(_ file: consuming OnnxFile, name: String) throws(FileFormatError) -> ImportedModel {
        var importer = OnnxImporter(file)
        return try importer.run(name: name)
    }

    mutating func run(name: String) throws(FileFormatError) -> ImportedModel {
        for (index, initializer) in initializers.enumerated() { values[initializer.name] = .initializer(index) }
        let order = try sortedNodes()
        countUses(order)
        let output = try readInputAndOutput()

        for index in order {
            let node = file.model.graph.node[index]
            origin = node.name.isEmpty ? node.opType : node.name
            originName = Self.moduleName(node) ?? node.name
            originType = node.opType
            let reads = node.input.filter { !$0.isEmpty }.map { values[$0] }
            let fromData = reads.contains { value in
                switch value {
                case .feature?, .channelsLast?, .gelu?, .unavailable(data: true)?: true
                default: false
                }
            }
            if reads.contains(where: { if case .unavailable? = $0 { true } else { false } }) {
                // Its inputs failed already; still name it when it could not take them anyway.
                if !Self.operators.contains(node.opType) || !node.domain.isDefaultDomain {
                    problems.append("\(node.label): \(Self.unsupported(node))")
                } else if fromData && Self.constantsOnly.contains(node.opType) {
                    problems.append("\(node.label): \(node.opType) of the model's data has no spec equivalent")
                } else if fromData, node.opType == "Transpose", let problem = transposeOfDataProblem(node) {
                    problems.append("\(node.label): \(problem)")
                }
                for name in node.output { values[name] = .unavailable(data: fromData) }
                continue
            }
            do throws(ImportProblem) {
                let results = try importNode(node)
                for value in results {
                    if case .feature(let feature) = value { try Self.checkSize(feature.layout) }
                    if case .channelsLast(let feature) = value { try Self.checkSize(feature.layout) }
                }
                for (name, value) in zip(node.output, results) where !name.isEmpty { values[name] = value }
                for name in node.output.dropFirst(results.count) where !name.isEmpty {
                    if (uses[name] ?? 0) > 0 {
                        throw ImportProblem("its output '\(name)' is read, which cnnc cannot provide")
                    }
                }
            } catch {
                problems.append("\(node.label): \(error.message)" + (error.note.map { " (\($0))" } ?? ""))
                for name in node.output { values[name] = .unavailable(data: fromData) }
            }
        }
        guard problems.isEmpty else {
            throw FileFormatError(
                path: file.path,
                message: problems.count == 1
                    ? "1 node cannot be expressed in a cnnc spec"
                    : "\(problems.count) nodes cannot be expressed in a cnnc spec",
                notes: problems)
        }
        let result: Feature
        var channelsLastOutput = false
        switch values[output] {
        case .feature(let feature)?: result = feature
        case .channelsLast(let feature)?:
            result = feature
            channelsLastOutput = true
        default:
            throw FileFormatError(
                path: file.path, message: "the model's output '\(output)' is not computed from its input")
        }
        guard result.layer != "input" else {
            throw FileFormatError(
                path: file.path, message: "the model's output is its input: there is nothing to import")
        }
        if case .vector(_, .some) = result.layout {
            throw FileFormatError(
                path: file.path,
                message: "the model's output is a flattened feature map, which a channels-last spec orders differently",
                notes: [
                    "end the model with a dense layer or a global pool, or flatten after a transpose to channels-last"
                ])
        }
        if case .map = result.layout, !channelsLastOutput {
            notes.append("the model's output is channels-last [H, W, C], where the ONNX model's is [N, C, H, W]")
        }
        return try write(name: name, output: result.layer)
    }

    // MARK: The graph's order and uses

    /// Node indices in an order where every input is computed before it is read, or an error
    /// naming a value nothing computes (a missing initializer, a cycle).
    func sortedNodes() throws(FileFormatError) -> [Int] {
        let graph = file.model.graph
        var producer: [String: Int] = [:]
        for (index, node) in graph.node.enumerated() {
            for output in node.output where !output.isEmpty {
                if producer[output] != nil || values[output] != nil {
                    throw FileFormatError(
                        path: file.path, message: "value '\(output)' is computed twice (by \(node.label))")
                }
                producer[output] = index
            }
        }
        let inputs = Set(graph.input.map(\.name))
        var waiting = [Int](repeating: 0, count: graph.node.count)
        var readers: [Int: [Int]] = [:]
        var missing: [String] = []
        for (index, node) in graph.node.enumerated() {
            for input in node.input where !input.isEmpty {
                if let source = producer[input] {
                    waiting[index] += 1
                    readers[source, default: []].append(index)
                } else if values[input] == nil && !inputs.contains(input) {
                    missing.append("\(node.label) reads '\(input)', which no node, input or initializer provides")
                }
            }
        }
        guard missing.isEmpty else {
            throw FileFormatError(path: file.path, message: "the graph reads values nothing provides", notes: missing)
        }
        var ready = (0..<graph.node.count).filter { waiting[$0] == 0 }.reversed() as [Int]
        var order: [Int] = []
        while let next = ready.popLast() {
            order.append(next)
            for reader in readers[next] ?? [] {
                waiting[reader] -= 1
                if waiting[reader] == 0 { ready.append(reader) }
            }
        }
        guard order.count == graph.node.count else {
            let stuck = (0..<graph.node.count).filter { waiting[$0] > 0 }.prefix(5).map { graph.node[$0].label }
            throw FileFormatError(
                path: file.path, message: "the graph has a cycle", notes: stuck.map { "\($0) is on it or after it" })
        }
        return order
    }

    /// Counts the readers of every value, looking through the nodes that pass a value on.
    mutating func countUses(_ order: [Int]) {
        let graph = file.model.graph
        for index in order {
            let node = graph.node[index]
            if Self.passThrough.contains(node.opType), let source = node.input.first, let output = node.output.first,
                !source.isEmpty, !output.isEmpty, root(source) != output
            {
                aliases[output] = root(source)
                continue
            }
            for input in node.input where !input.isEmpty { uses[root(input), default: 0] += 1 }
        }
        for output in graph.output { uses[root(output.name), default: 0] += 1 }
    }

    static let passThrough: Set<String> = ["Identity", "Dropout"]

    /// The value `name` passes on; aliases always point at values computed earlier, so this ends.
    func root(_ name: String) -> String {
        var name = name
        while let source = aliases[name], source != name { name = source }
        return name
    }

    /// True when `value` (a node's input) is read by that node alone, so that folding the node
    /// into the layer that computes it changes nothing else.
    func readOnce(_ value: String) -> Bool { uses[root(value)] == 1 }

    /// Registers the model's input as the spec's input; returns the name of its output value.
    mutating func readInputAndOutput() throws(FileFormatError) -> String {
        let graph = file.model.graph
        let inputs = graph.input.filter { values[$0.name] == nil }
        guard inputs.count == 1 else {
            throw FileFormatError(
                path: file.path,
                message: inputs.isEmpty
                    ? "the model has no input"
                    : "the model has \(inputs.count) inputs (\(inputs.map(\.name).joined(separator: ", "))); a cnnc spec has one"
            )
        }
        guard graph.output.count == 1 else {
            throw FileFormatError(
                path: file.path,
                message:
                    "the model has \(graph.output.count) outputs (\(graph.output.map(\.name).joined(separator: ", "))); a cnnc spec has one"
            )
        }
        let input = inputs[0]
        let type = input.type.tensorType
        guard case .tensorType? = input.type.value, type.elemType == 1 || type.elemType == 11 || type.elemType == 10
        else {
            throw FileFormatError(path: file.path, message: "the model's input '\(input.name)' is not a float tensor")
        }
        let dims = type.shape.dim.map { dim -> Int? in
            if case .dimValue(let value)? = dim.value, value > 0 { return Int(clamping: value) }
            return nil
        }
        let described =
            "["
            + type.shape.dim.map { dim -> String in
                switch dim.value {
                case .dimValue(let value)?: "\(value)"
                case .dimParam(let name)?: name
                case nil: "?"
                }
            }.joined(separator: ", ") + "]"
        let sizes = dims.dropFirst()
        guard dims.count == 4 || dims.count == 2, sizes.allSatisfy({ $0 != nil && $0! <= 1 << 20 }) else {
            throw FileFormatError(
                path: file.path,
                message:
                    "the model's input '\(input.name)' has shape \(described); cnnc imports [N, C, H, W] images or [N, F] vectors with fixed sizes",
                notes: [
                    "export the model with a fixed input size (torch.onnx.export's dynamic_axes for the batch axis only)"
                ])
        }
        fixedBatch = dims[0]
        let layout: Layout =
            dims.count == 4
            ? .map(height: dims[2]!, width: dims[3]!, channels: dims[1]!) : .vector(count: dims[1]!, flattened: nil)
        if dims.count == 4, isReadChannelsLast(input.name) || file.model.producerName == "cnnc" {
            // [N, H, W, C], transposed to [N, C, H, W] where it is read; cnnc export's always is.
            inputLayout = .map(height: dims[1]!, width: dims[2]!, channels: dims[3]!)
            values[input.name] = .channelsLast(Feature(layer: "input", layout: inputLayout))
            return graph.output[0].name
        }
        inputLayout = layout
        values[input.name] = .feature(Feature(layer: "input", layout: layout))
        return graph.output[0].name
    }

    // MARK: Layers

    /// Adds a layer named after the current node; returns the feature it computes.
    mutating func add(
        _ type: String, inputs: [Feature], fields: [(String, SpecValue)] = [], weights: [String: Tensor] = [:],
        layout: Layout, nonNegative: Bool = false, suffix: String? = nil
    ) -> Feature {
        let base = Self.specName(originName, opType: originType, type: type)
        let name = uniqueName(suffix.map { "\(base)_\($0)" } ?? base)
        var layer = ImportedLayer(name: name, type: type, inputs: inputs.map(\.layer), origins: [origin])
        layer.fields = fields.map { (key: $0.0, value: $0.1) }
        layer.weights = weights
        layerIndex[name] = layers.count
        layers.append(layer)
        return Feature(layer: name, layout: layout, nonNegative: nonNegative)
    }

    /// Every value a node makes stays within the model input's bounds (2^20 a side), so that the
    /// next node's arithmetic on its sizes cannot overflow: a chain of upsamplings or paddings in a
    /// hostile model grows a map without end.
    static func checkSize(_ layout: Layout) throws(ImportProblem) {
        switch layout {
        case .map(let height, let width, let channels):
            guard [height, width, channels].allSatisfy({ (1...(1 << 20)).contains($0) }) else {
                throw ImportProblem("makes a \(height)×\(width)×\(channels) map, larger than cnnc imports")
            }
        case .vector(let count, _):
            guard (1...(1 << 40)).contains(count) else {
                throw ImportProblem("makes a vector of \(count) values, more than cnnc imports")
            }
        }
    }

    mutating func uniqueName(_ base: String) -> String {
        var name = base
        var counter = 1
        while layerIndex[name] != nil || name == "input" {
            name = "\(base)_\(counter)"
            counter += 1
        }
        return name
    }

    /// A spec name from an ONNX node name: PyTorch's `/layer1/layer1.0/conv1/Conv` becomes
    /// `layer1_0_conv1` (the module path without the repeated prefixes and the operator).
    static func specName(_ nodeName: String, opType: String, type: String) -> String {
        var parts = nodeName.split(separator: "/").map(String.init)
        if parts.count > 1, let last = parts.last, last == opType || last.hasPrefix(opType + "_") {
            parts.removeLast()
        }
        var kept: [String] = []
        for (index, part) in parts.enumerated() {
            if index + 1 < parts.count, parts[index + 1].hasPrefix(part + ".") { continue }
            kept.append(part)
        }
        var name = String(kept.joined(separator: "_").map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
        while name.contains("__") { name = name.replacingOccurrences(of: "__", with: "_") }
        name = String(name.drop { $0 == "_" })
        while name.hasSuffix("_") { name.removeLast() }
        if name.isEmpty { return type }
        if name.first!.isNumber { name = "\(type)_\(name)" }
        return name
    }

    /// The PyTorch module a node comes from, as the dynamo exporter records it (its node names are
    /// only `node_Conv_12`): the innermost module path of `pkg.torch.onnx.name_scopes`, such as
    /// `layer1.0.conv1` for ['', 'layer1', 'layer1.0', 'layer1.0.conv1', 'conv2d_3'].
    static func moduleName(_ node: Onnx_NodeProto) -> String? {
        guard let scopes = node.metadataProps.first(where: { $0.key == "pkg.torch.onnx.name_scopes" })?.value else {
            return nil
        }
        // A Python list of string literals; the names hold no quotes.
        let names = scopes.split(separator: "'", omittingEmptySubsequences: false).enumerated()
            .filter { $0.offset % 2 == 1 }.map { String($0.element) }
        guard names.count >= 2 else { return nil }
        let module = names[names.count - 2]
        return module.isEmpty ? names[names.count - 1] : module
    }

    /// The layer that computes `feature`, when the importer may change it: it is a layer (not the
    /// input) and `value` is its only reader's input.
    func foldableLayer(of feature: Feature, value: String) -> Int? {
        guard feature.layer != "input", readOnce(value), let index = layerIndex[feature.layer] else { return nil }
        return index
    }

    // MARK: Writing

    mutating func write(name: String, output: String) throws(FileFormatError) -> ImportedModel {
        // Only the layers the output depends on: a folded activation can leave its old layer unread.
        var needed: Set<String> = [output]
        for layer in layers.reversed() where needed.contains(layer.name) { needed.formUnion(layer.inputs) }
        let kept = layers.filter { needed.contains($0.name) }

        var lines = [
            commentText(
                "# Imported by cnnc from \(file.path.split(separator: "/").last.map(String.init) ?? file.path)"
                    + (file.producer.isEmpty ? "" : ", written by \(file.producer)") + ", ONNX operator set \(opset)."),
            "# Each layer's comment names the ONNX nodes it stands for.",
            "cnnc: 1",
            "input:",
        ]
        switch inputLayout {
        case .map(let height, let width, let channels): lines.append("  shape: [\(height), \(width), \(channels)]")
        case .vector(let count, _): lines.append("  shape: [\(count)]")
        }
        lines.append("layers:")
        var previous = "input"
        var weights: [String: Tensor] = [:]
        for layer in kept {
            lines.append(layer.yaml(previous: previous))
            previous = layer.name
            for (parameter, tensor) in layer.weights { weights["\(layer.name).\(parameter)"] = tensor }
        }
        let spec = lines.joined(separator: "\n") + "\n"
        try verify(spec, weights: weights, name: name)
        return ImportedModel(spec: spec, weights: weights, notes: notes)
    }

    /// Checks the written spec as `cnnc check` would, and the weights against the tensors it
    /// declares: a failure here is the importer's mistake, reported rather than written.
    func verify(_ spec: String, weights: [String: Tensor], name: String) throws(FileFormatError) {
        let compilation = Compilation(SourceFile(path: "\(name).yaml", text: spec))
        let errors = compilation.diagnostics.filter { $0.severity == .error }
        guard let graph = compilation.graph, errors.isEmpty else {
            throw FileFormatError(
                path: file.path, message: "cnnc wrote a spec for this model that does not check; please report this",
                notes: errors.map { "\($0.location.line):\($0.location.column): \($0.message)" })
        }
        var expected: [String: [Int]] = [:]
        for node in graph.nodes {
            for weight in node.weights { expected["\(node.name).\(weight.name)"] = weight.shape }
        }
        let actual = weights.mapValues(\.shape)
        guard expected == actual else {
            let wrong =
                Set(expected.keys).symmetricDifference(actual.keys).sorted()
                + expected.keys.filter { actual[$0] != nil && actual[$0] != expected[$0] }.sorted()
            throw FileFormatError(
                path: file.path, message: "cnnc wrote weights that do not match its spec; please report this",
                notes: wrong.map {
                    "\($0): spec \(expected[$0].map(Tensor.describe) ?? "none"), weights \(actual[$0].map(Tensor.describe) ?? "none")"
                })
        }
    }
}

extension String {
    var isDefaultDomain: Bool { isEmpty || self == "ai.onnx" }
}
