import CNNSpec

/// Warnings about specs that are valid but probably not what the author meant.
enum Lints {
    static func check(_ graph: Graph) -> [Diagnostic] {
        var warnings: [Diagnostic] = []
        let last = graph.nodes.count - 1
        var used = [Bool](repeating: false, count: graph.nodes.count)
        for node in graph.nodes {
            for case .node(let index) in node.inputs { used[index] = true }
        }
        for (index, node) in graph.nodes.enumerated() {
            let location = node.activationLocation ?? node.location
            // softmax anywhere but the last layer.
            if index != last, node.operation.activation == .softmax {
                warnings.append(.softmaxNotLast(layer: node.name, at: location))
            }
            // An activation layer that cannot change what the previous activation produced.
            if case .activation(let second) = node.operation, case .node(let producerIndex) = node.inputs[0] {
                let producer = graph.nodes[producerIndex]
                if let first = producer.operation.activation,
                    second.isIdentity(on: first.range ?? -Double.infinity...Double.infinity)
                {
                    warnings.append(.redundantActivation(second, after: first, producer: producer.name, at: location))
                }
            }
            if index != last, !used[index] {
                warnings.append(.unusedOutput(layer: node.name, at: node.location))
            }
        }
        if case .dropout = graph.nodes[last].operation {
            warnings.append(.dropoutLast(layer: graph.nodes[last].name, at: graph.nodes[last].location))
        }
        return warnings
    }
}
