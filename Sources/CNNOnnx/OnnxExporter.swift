import CNNFormats
import CNNGraph
import Foundation

/// Writes a validated graph and its weights as an ONNX model (`cnnc export`).
///
/// The model's input `input` is float32 [N, H, W, C], as `cnnc run` takes it, and its output
/// `output` is [N, ...the spec's output shape], channels-last. Inside, feature maps are NCHW, as
/// ONNX's convolutions and pools want them: one Transpose after the input, one before a map
/// output, and one before a flatten or reshape of a map, which cnnc orders channels-last. Each spec
/// layer becomes the nodes that compute it, the last of them named after the layer (the others
/// `<layer>/<operator>`), and its weights initializers named by their safetensors keys
/// (`conv2d_1.kernel`) in ONNX's layouts, so that Netron shows the spec's structure.
package struct OnnxExporter {
    /// The default operator set the model imports; every operator used is in it.
    package static let opset: Int64 = 17
    /// IR version 8, ONNX 1.12's, which came with operator set 17; later readers take it too.
    package static let irVersion: Int64 = 8
    /// Protobuf cannot encode a message of 2 GB or more; leave room for everything but the weights.
    static let byteLimit = Int(Int32.max) - (64 << 20)

    let graph: Graph
    /// Checked against the graph already (`ModelWeights`), so every declared key has its shape.
    let weights: [String: Tensor]
    var writer = OnnxGraphWriter()
    /// The ONNX value holding each spec value: [N, C, H, W] for a feature map, [N, F] for a vector.
    var values: [ValueID: String] = [:]
    /// A feature map's value transposed to [N, H, W, C], once something needed it.
    var channelsLast: [ValueID: String] = [.input: "input"]
    /// The layer being written: its nodes are named after it.
    var layer = ""
    /// The position of the layer's first node, after the nodes that prepared its inputs.
    var layerStart = 0

    init(graph: Graph, weights: [String: Tensor]) {
        self.graph = graph
        self.weights = weights
    }

    /// The serialized model. `weights` must have passed `ModelWeights`' check against `graph`.
    package static func export(
        _ graph: Graph, weights: [String: Tensor], producerVersion: String
    ) throws(FileFormatError) -> [UInt8] {
        var exporter = OnnxExporter(graph: graph, weights: weights)
        let model = try exporter.model(producerVersion: producerVersion)
        do {
            return try model.serializedBytes()
        } catch {
            throw FileFormatError(path: graph.file, message: "cannot encode the ONNX model: \(error)")
        }
    }

    /// The model: every layer written in spec order, then the output in channels-last order.
    mutating func model(producerVersion: String) throws(FileFormatError) -> Onnx_ModelProto {
        for (index, node) in graph.nodes.enumerated() {
            try write(node, index: index)
            guard writer.initializerBytes <= Self.byteLimit else {
                throw FileFormatError(
                    path: graph.file,
                    message: "the weights take more than 2 GB, which one ONNX file cannot hold (protobuf's limit)")
            }
        }
        writeOutput()

        var onnxGraph = Onnx_GraphProto()
        onnxGraph.name = graph.name
        onnxGraph.node = writer.nodes
        onnxGraph.initializer = writer.initializers
        onnxGraph.input = [.batchedFloats("input", sample: graph.inputShape.dimensions)]
        onnxGraph.output = [.batchedFloats("output", sample: graph.outputShape.dimensions)]

        var model = Onnx_ModelProto()
        model.irVersion = Self.irVersion
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = Self.opset
        model.opsetImport = [opset]
        model.producerName = "cnnc"
        model.producerVersion = producerVersion
        let file = graph.file.split(separator: "/").last.map(String.init) ?? graph.file
        model.docString =
            "\(graph.name), exported by cnnc from \(file). Input 'input': float32 [N, H, W, C]; "
            + "output 'output': [N, \(graph.outputShape.dimensions.map(String.init).joined(separator: ", "))]."
        model.graph = onnxGraph
        return model
    }

    /// Writes one spec layer and records the value that holds its output.
    mutating func write(_ node: GraphNode, index: Int) throws(FileFormatError) {
        layer = node.name
        layerStart = writer.nodeCount
        let result = try lower(node)
        let isOutput = index == graph.nodes.count - 1 && graph.outputShape.rank == 1
        values[.node(index)] = writer.renameLastNode(
            computing: result, since: layerStart, to: node.name, output: isOutput ? "output" : node.name)
    }

    /// The nodes of one layer; returns the value holding its result, in the layouts of `values`.
    mutating func lower(_ node: GraphNode) throws(FileFormatError) -> String {
        switch node.operation {
        case .conv2d(let op): return try convolution(op, node)
        case .depthwiseConv2D(let op): return try depthwiseConvolution(op, node)
        case .separableConv2D(let op): return try separableConvolution(op, node)
        case .conv2DTranspose(let op): return try transposedConvolution(op, node)
        case .maxPool2D(let pool): return self.pool("MaxPool", pool, node)
        case .avgPool2D(let pool): return self.pool("AveragePool", pool, node)
        case .globalAvgPool2D(let keepdims): return globalPool("GlobalAveragePool", keepdims: keepdims, node)
        case .globalMaxPool2D(let keepdims): return globalPool("GlobalMaxPool", keepdims: keepdims, node)
        case .zeroPadding2D(let padding): return zeroPadding(padding, node)
        case .cropping2D(let cropping): return self.cropping(cropping, node)
        case .batchNorm(let op): return try batchNormalization(op, node)
        case .flatten: return flatten(node)
        case .reshape: return reshape(node)
        case .dense(let op): return try dense(op, node)
        case .activation(let activation): return activate(input(node), activation)
        case .relu(let op): return relu(op, input(node))
        case .dropout: return input(node)
        case .rescaling(let op): return rescaling(op, node)
        case .normalization(let op): return try normalization(op, node)
        case .upSampling2D(let op): return upsampling(op, node)
        case .add: return merge(node, "Add")
        case .merge(let kind): return merge(kind, node)
        case .concatenate: return concatenate(node)
        }
    }

    // MARK: Values

    /// The value of the layer's first input in the layouts of `values`, preparing it if needed;
    /// starts the layer's own nodes.
    mutating func input(_ node: GraphNode) -> String { inputs(node)[0] }

    /// The values of every input of the layer; starts the layer's own nodes.
    mutating func inputs(_ node: GraphNode) -> [String] {
        let names = node.inputs.map { value(of: $0) }
        layerStart = writer.nodeCount
        return names
    }

    /// The ONNX value of a spec value, [N, C, H, W] for a map; the model's input is transposed
    /// to that on first use.
    mutating func value(of id: ValueID) -> String {
        // Layers come in spec order, so only the input can lack a value.
        if let name = values[id] { return name }
        let name = writer.add("Transpose", ["input"], [.ints("perm", [0, 3, 1, 2])], name: "input/nchw")
        values[id] = name
        return name
    }

    /// A value whose elements are in cnnc's row-major, channels-last order, for a flatten or a
    /// reshape: a vector as it is, a map transposed to [N, H, W, C] unless its [N, C, H, W] form
    /// has the same order (one channel, or one pixel).
    mutating func rowMajor(_ id: ValueID) -> String {
        let shape = graph.shape(of: id)
        if let name = channelsLast[id] { return name }
        guard shape.rank == 3, shape.channels > 1, shape.height * shape.width > 1 else { return value(of: id) }
        let name = writer.add(
            "Transpose", [value(of: id)], [.ints("perm", [0, 2, 3, 1])], name: "\(graph.name(of: id))/nhwc")
        channelsLast[id] = name
        return name
    }

    /// The model's output, `output`: the last layer's value, a map transposed to [N, H, W, C].
    mutating func writeOutput() {
        let id = graph.output
        let name = values[id]!
        guard name != "output" else { return }
        if graph.outputShape.rank == 3, channelsLast[id] == nil {
            _ = writer.add(
                "Transpose", [name], [.ints("perm", [0, 2, 3, 1])], name: "\(graph.name(of: id))/nhwc",
                output: "output")
        } else {
            _ = writer.add("Identity", [channelsLast[id] ?? name], name: "output", output: "output")
        }
    }

    // MARK: Nodes and initializers of the current layer

    /// Appends a node of the current layer, named `<layer>/<operator>` for now.
    mutating func emit(_ opType: String, _ inputs: [String], _ attributes: [Onnx_AttributeProto] = []) -> String {
        writer.add(opType, inputs, attributes, name: "\(layer)/\(opType)")
    }

    /// The layer's weight `key` as an initializer named `<layer>.<key>`, its values rearranged to
    /// ONNX's layout by `layout` (from Keras's shape to ONNX's dims).
    mutating func weight(
        _ key: String, _ node: GraphNode, as layout: (Tensor) -> (dims: [Int], values: [Float])
    ) throws(FileFormatError) -> String {
        let (dims, values) = layout(try tensor(key, node))
        return writer.floats("\(node.name).\(key)", dims: dims, values)
    }

    /// The layer's weight `key` as the weights file holds it.
    func tensor(_ key: String, _ node: GraphNode) throws(FileFormatError) -> Tensor {
        let name = "\(node.name).\(key)"
        guard let tensor = weights[name], let spec = node.weights.first(where: { $0.name == key }),
            tensor.shape == spec.shape
        else {
            throw FileFormatError(
                path: graph.file, message: "the weights have no '\(name)' of the shape layer '\(node.name)' needs")
        }
        return tensor
    }

    /// The layer's weight `key` in Keras's layout, which ONNX shares (biases, batch norm's vectors).
    mutating func weight(_ key: String, _ node: GraphNode) throws(FileFormatError) -> String {
        try weight(key, node) { ($0.shape, $0.scalars) }
    }

    /// A constant of the current layer, named `<layer>/<what>`.
    mutating func constant(_ what: String, _ value: Float) -> String { writer.scalar("\(layer)/\(what)", value) }

    /// An int64 constant of the current layer (pads, starts, ends, axes, a shape), named `<layer>/<what>`.
    mutating func integers(_ what: String, _ values: [Int]) -> String { writer.integers("\(layer)/\(what)", values) }

    /// Per-channel values shaped to broadcast against the layer's input: [C, 1, 1] against
    /// [N, C, H, W], [F] against [N, F].
    mutating func perChannel(_ name: String, _ values: [Float], rank: Int) -> String {
        writer.floats(name, dims: rank == 3 ? [values.count, 1, 1] : [values.count], values)
    }
}
