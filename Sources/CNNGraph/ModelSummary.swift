import CNNSpec

/// `cnnc summary`: per layer its output shape, parameters and multiply-adds, with model totals.
public struct ModelSummary: Sendable {
    public struct Row: Sendable {
        public var name: String
        public var kind: OperationKind
        public var inputs: [String]
        public var outputShape: TensorShape
        public var parameters: Int
        public var trainableParameters: Int
        public var macs: Int
        /// The weights file's keys for the layer, `<name>.<param>`, with their shapes.
        public var weights: [(key: String, shape: [Int])]
    }

    public var name: String
    public var inputShape: TensorShape
    public var outputShape: TensorShape
    public var rows: [Row]
    public var totalParameters: Int
    public var trainableParameters: Int
    public var totalMACs: Int
    /// float32 weights, all of them.
    public var weightBytes: Int
    /// The largest single activation of one sample (the input included), and whose it is.
    public var largestActivation: (bytes: Int, name: String)
    /// Whether some layer reads something other than the layer before it.
    public var isChain: Bool

    public init(_ graph: Graph) {
        name = graph.name
        inputShape = graph.inputShape
        outputShape = graph.outputShape
        rows = graph.nodes.map { node in
            Row(
                name: node.name, kind: node.kind, inputs: node.inputs.map(graph.name(of:)), outputShape: node.outputShape,
                parameters: node.parameterCount,
                trainableParameters: node.weights.filter(\.trainable).reduce(0) { $0 + $1.elementCount }, macs: node.macs,
                weights: node.weights.map { ("\(node.name).\($0.name)", $0.shape) })
        }
        totalParameters = rows.reduce(0) { $0 + $1.parameters }
        trainableParameters = rows.reduce(0) { $0 + $1.trainableParameters }
        totalMACs = rows.reduce(0) { $0 + $1.macs }
        weightBytes = totalParameters * 4
        var largest = (bytes: (graph.inputShape.elementCount ?? 0) * 4, name: "input")
        for node in graph.nodes where (node.outputShape.elementCount ?? 0) * 4 > largest.bytes {
            largest = ((node.outputShape.elementCount ?? 0) * 4, node.name)
        }
        largestActivation = largest
        isChain = graph.nodes.enumerated().allSatisfy { index, node in
            node.inputs == [index == 0 ? .input : .node(index - 1)]
        }
    }

    /// The contract's object: name, shapes without the batch axis, per-layer params, macs and
    /// weight keys with their shapes, totals.
    public var json: JSON {
        func shape(_ shape: TensorShape) -> JSON { .array(shape.dimensions.map(JSON.int)) }
        return .object([
            ("name", .string(name)),
            ("input_shape", shape(inputShape)),
            ("output_shape", shape(outputShape)),
            (
                "layers",
                .array(
                    rows.map { row in
                        .object([
                            ("name", .string(row.name)),
                            ("type", .string(row.kind.rawValue)),
                            ("inputs", .array(row.inputs.map(JSON.string))),
                            ("output_shape", shape(row.outputShape)),
                            ("params", .int(row.parameters)),
                            ("macs", .int(row.macs)),
                            (
                                "weights",
                                .array(
                                    row.weights.map { weight in
                                        .object([("key", .string(weight.key)), ("shape", .array(weight.shape.map(JSON.int)))])
                                    })
                            ),
                        ])
                    })
            ),
            ("total_params", .int(totalParameters)),
            ("total_macs", .int(totalMACs)),
        ])
    }
}
