import CNNSpec

/// Validates a parsed spec and builds its graph: names, inputs, operations, shapes, weights.
///
/// Every error of every layer is reported. A layer that fails leaves its output shape unknown, and
/// layers that depend on it skip their shape checks, so one mistake is reported once.
public struct GraphBuilder {
    private let spec: ModelSpec
    private var diagnostics: [Diagnostic] = []
    /// Per layer: its name, and whether the name was given or made up.
    private var names: [(name: String, explicit: Bool)] = []
    private var shapes: [TensorShape?] = []
    private var inputShape: TensorShape?

    /// Builds the graph; it is nil when any error was found. Warnings come with a valid graph.
    public static func build(_ spec: ModelSpec) -> (graph: Graph?, diagnostics: [Diagnostic]) {
        var builder = GraphBuilder(spec: spec)
        let graph = builder.build()
        return (graph, builder.diagnostics)
    }

    private init(spec: ModelSpec) {
        self.spec = spec
    }

    private mutating func build() -> Graph? {
        inputShape = checkInput()
        checkLimits()
        assignNames()
        var nodes: [GraphNode] = []
        for (index, layer) in spec.layers.enumerated() {
            let node = buildNode(layer, at: index)
            shapes.append(node?.outputShape)
            if let node { nodes.append(node) }
        }
        guard !diagnostics.hasErrors, let inputShape, !nodes.isEmpty, nodes.count == spec.layers.count else { return nil }
        let graph = Graph(
            name: spec.name?.value ?? Graph.defaultName(forFile: spec.file), inputShape: inputShape, nodes: nodes, file: spec.file,
            specDescription: spec.description?.value)
        guard checkTotals(graph) else { return nil }
        diagnostics += Lints.check(graph)
        return graph
    }

    /// `input.shape`: [H, W, C] or [features], every size positive, the whole within limits.
    private mutating func checkInput() -> TensorShape? {
        guard let shape = spec.input?.shape else { return nil }
        guard shape.value.count == 3 || shape.value.count == 1 else {
            diagnostics.append(.wrongInputRank(shape.value.map(\.value), at: shape.location))
            return nil
        }
        var valid = true
        for size in shape.value where size.value < 1 {
            diagnostics.append(.outOfRange(key: "shape", value: size.value, minimum: 1, at: size.location))
            valid = false
        }
        guard valid else { return nil }
        let result = TensorShape(shape.value.map(\.value))
        guard result.elementCount != nil else {
            diagnostics.append(.tooLargeInput(at: shape.location))
            return nil
        }
        return result
    }

    /// `limits:`: every budget a positive integer.
    private mutating func checkLimits() {
        for budget in Budget.allCases {
            guard let limit = budget.limit(in: spec.limits), limit.value < 1 else { continue }
            diagnostics.append(.outOfRange(key: budget.specKey, value: limit.value, minimum: 1, at: limit.location))
        }
    }

    /// Keras-style names by spec type, counting unnamed layers of that type only; then duplicates.
    private mutating func assignNames() {
        var counters: [String: Int] = [:]
        var seen: [String: Int] = [:]
        for (index, layer) in spec.layers.enumerated() {
            let entry: (name: String, explicit: Bool)
            if let name = layer.name {
                entry = (name.value, true)
            } else {
                let base = layer.type?.value ?? "layer"
                let count = counters[base, default: 0]
                counters[base] = count + 1
                entry = (count == 0 ? base : "\(base)_\(count)", false)
            }
            names.append(entry)
            if let first = seen[entry.name] {
                let firstLayer = spec.layers[first]
                diagnostics.append(
                    .duplicateName(
                        entry.name, at: layer.name?.location ?? layer.location,
                        first: firstLayer.name?.location ?? firstLayer.location, firstIsAutomatic: !names[first].explicit))
            } else {
                seen[entry.name] = index
            }
        }
    }

    private mutating func buildNode(_ layer: LayerSpec, at index: Int) -> GraphNode? {
        let name = names[index].name
        let inputs = resolveInputs(layer, at: index, name: name)
        guard let typeName = layer.type else { return nil }
        guard let kind = OperationKind(rawValue: typeName.value) else {
            diagnostics.append(.unknownType(typeName.value, at: typeName.location))
            return nil
        }
        var reader = OptionReader(kind: kind, layer: layer, name: name)
        let operation = Operation.read(kind, &reader)
        diagnostics += reader.diagnostics
        guard let inputs, checkInputCount(inputs, layer: layer, kind: kind, name: name) else { return nil }
        guard let operation else { return nil }
        let inputShapes = inputs.compactMap(shape(of:))
        guard inputShapes.count == inputs.count else { return nil }
        let inputNames = inputs.map(self.name(of:))
        if let rank = operation.requiredRank, inputShapes[0].rank != rank {
            let location = layer.type?.location ?? layer.location
            diagnostics.append(
                (rank == 3
                    ? Diagnostic.wrongRankFlat(layer: name, type: kind.rawValue, producer: inputNames[0], shape: inputShapes[0], at: location)
                    : Diagnostic.wrongRankSpatial(layer: name, producer: inputNames[0], shape: inputShapes[0], at: location))
                    .noting(trace(to: inputs[0])))
            return nil
        }
        let context = ShapeContext(name: name, layer: layer, trace: trace(to: inputs[0]))
        let outputShape: TensorShape
        do throws(Diagnostic) {
            outputShape = try operation.outputShape(inputShapes, names: inputNames, context)
            guard outputShape.elementCount != nil else { throw context.tooLarge("the output") }
            let weights = operation.weights(inputShapes[0])
            for weight in weights where TensorShape.product(weight.shape) == nil {
                throw context.tooLarge("the \(weight.name) [\(weight.shape.map(String.init).joined(separator: ", "))]")
            }
            return GraphNode(
                name: name, kind: kind, operation: operation, inputs: inputs, outputShape: outputShape, weights: weights,
                macs: operation.macs(inputShapes[0], outputShape), location: layer.location,
                activationLocation: reader.activationLocation)
        } catch {
            diagnostics.append(error)
            return nil
        }
    }

    /// The layer's inputs: those it names, or the previous layer's output (the model input first).
    private mutating func resolveInputs(_ layer: LayerSpec, at position: Int, name: String) -> [ValueID]? {
        guard let listed = layer.inputs else {
            return [position == 0 ? .input : .node(position - 1)]
        }
        var resolved: [ValueID] = []
        for reference in listed.value {
            if reference.value == "input" {
                resolved.append(.input)
            } else if let index = names.firstIndex(where: { $0.name == reference.value }) {
                guard index < position else {
                    let definition = spec.layers[index]
                    diagnostics.append(
                        .forwardReference(
                            reference.value, layer: name, at: reference.location,
                            definition: definition.name?.location ?? definition.location))
                    return nil
                }
                resolved.append(.node(index))
            } else {
                let candidates = ["input"] + names.prefix(position).map(\.name)
                diagnostics.append(.unknownName(reference.value, layer: name, candidates: candidates, at: reference.location))
                return nil
            }
        }
        return resolved
    }

    /// The number of inputs against `OperationKind.inputCount`.
    private mutating func checkInputCount(_ inputs: [ValueID], layer: LayerSpec, kind: OperationKind, name: String) -> Bool {
        let allowed = kind.inputCount
        guard !allowed.contains(inputs.count) else { return true }
        let location = layer.inputs?.location ?? layer.location
        if allowed == 1...1 {
            diagnostics.append(.tooManyInputs(layer: name, type: kind.rawValue, count: inputs.count, at: location))
        } else if allowed.lowerBound == allowed.upperBound {
            diagnostics.append(.subtractArity(layer: name, count: inputs.count, at: location))
        } else {
            diagnostics.append(.tooFewInputs(layer: name, type: kind.rawValue, count: inputs.count, at: location))
        }
        return false
    }

    private func shape(of value: ValueID) -> TensorShape? {
        switch value {
        case .input: inputShape
        case .node(let index): shapes[index]
        }
    }

    private func name(of value: ValueID) -> String {
        switch value {
        case .input: "input"
        case .node(let index): names[index].name
        }
    }

    /// "shapes: input 28x28x1 → conv2d 26x26x32 → max_pool2d 13x13x32", following first inputs back.
    private func trace(to value: ValueID) -> String {
        var steps: [String] = []
        var current: ValueID? = value
        while let value = current, steps.count < 8 {
            steps.append("\(name(of: value)) \(shape(of: value).map(\.description) ?? "?")")
            switch value {
            case .input: current = nil
            case .node(let index):
                let layer = spec.layers[index]
                if let first = layer.inputs?.value.first {
                    current = first.value == "input" ? .input : names.firstIndex { $0.name == first.value }.map(ValueID.node)
                } else {
                    current = index == 0 ? .input : .node(index - 1)
                }
            }
        }
        if current != nil { steps.append("…") }
        return "shapes: " + steps.reversed().joined(separator: " → ")
    }

    /// Parameters and multiply-adds of the whole model must fit in 64 bits.
    private mutating func checkTotals(_ graph: Graph) -> Bool {
        var parameters = 0
        var macs = 0
        for node in graph.nodes {
            let p = parameters.addingReportingOverflow(node.parameterCount)
            let m = macs.addingReportingOverflow(node.macs)
            if p.overflow || m.overflow {
                diagnostics.append(.tooLargeTotal(p.overflow ? "parameter count" : "multiply-add count", at: node.location))
                return false
            }
            (parameters, macs) = (p.partialValue, m.partialValue)
        }
        return true
    }
}
