import CNNSpec

/// Where a layer's input comes from: the model input or an earlier layer's output.
public enum ValueID: Hashable, Sendable {
    case input
    case node(Int)
}

/// One validated layer: its operation, resolved inputs, inferred output shape and weights.
public struct GraphNode: Sendable {
    public var name: String
    public var kind: OperationKind
    public var operation: Operation
    public var inputs: [ValueID]
    public var outputShape: TensorShape
    /// The tensors the layer owns, in safetensors order (`<name>.<weight>`).
    public var weights: [WeightSpec]
    /// Multiply-adds for one sample.
    public var macs: Int
    /// The layer's mapping in the spec.
    public var location: SourceLocation
    /// The `activation:` value, when the layer has one.
    public var activationLocation: SourceLocation?

    /// Parameter count, all weights.
    public var parameterCount: Int { weights.reduce(0) { $0 + $1.elementCount } + operation.uncountedParameters }
}

/// A validated model: every name resolved, every shape inferred, in spec order.
/// Inputs always refer to earlier nodes, so spec order is a topological order.
public struct Graph: Sendable {
    /// The Swift type name of the model.
    public var name: String
    public var inputShape: TensorShape
    public var nodes: [GraphNode]
    /// The source the graph came from.
    public var file: String
    /// The spec's `description:`, when it has one (free text).
    public var specDescription: String?

    /// The model output: the last layer's.
    public var output: ValueID { .node(nodes.count - 1) }
    public var outputShape: TensorShape { nodes[nodes.count - 1].outputShape }

    public func shape(of value: ValueID) -> TensorShape {
        switch value {
        case .input: inputShape
        case .node(let index): nodes[index].outputShape
        }
    }

    public func name(of value: ValueID) -> String {
        switch value {
        case .input: "input"
        case .node(let index): nodes[index].name
        }
    }

    /// A type name from a file name: `tiny_chain.yaml` gives `TinyChain`.
    public static func defaultName(forFile path: String) -> String {
        let base = path.split(separator: "/").last.map(String.init) ?? path
        let stem = base.split(separator: ".").first.map(String.init) ?? base
        let words = stem.split { !($0.isASCII && ($0.isLetter || $0.isNumber)) }
        var name = words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        if name.isEmpty || name.first!.isNumber { name = "Model" + name }
        // `data.yaml` must not give a type that shadows Foundation's `Data`, nor `class.yaml` a keyword.
        if Identifier.problem(with: name, forType: true) != nil { name += "Model" }
        return name
    }
}
