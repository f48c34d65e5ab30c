import CNNGraph

/// Layers folded into the convolution or dense layer before them, as ONNX Runtime folds them:
/// a `batch_norm` becomes a scale of the kernel's output channels and a bias, and an `activation`
/// layer becomes the producer's own activation, applied in its store. Both apply only when the
/// producer's output has no other reader, so no one sees the unfused value.
struct Fusion {
    /// For each node, the node whose kernel now computes its output, or nil when it runs itself.
    private(set) var absorbedBy: [Int?]
    /// The layer's weights after folding, for the producers that absorbed a batch_norm.
    private(set) var weights: [[[Float]]]
    /// The activation each producer now applies.
    private(set) var activations: [Int: Activation] = [:]

    init(_ graph: Graph, weights: [[[Float]]]) {
        self.weights = weights
        absorbedBy = Array(repeating: nil, count: graph.nodes.count)
        var readers = Array(repeating: 0, count: graph.nodes.count)
        for node in graph.nodes {
            for case .node(let index) in node.inputs { readers[index] += 1 }
        }
        /// The node reading `index`'s output, if it is the only reader and the output is not the model's.
        func soleReader(of index: Int) -> Int? {
            guard readers[index] == 1, index + 1 < graph.nodes.count else { return nil }
            return graph.nodes.indices.first { graph.nodes[$0].inputs.contains(.node(index)) }
        }

        for (index, node) in graph.nodes.enumerated() where absorbedBy[index] == nil {
            guard let own = Fusion.producerActivation(node.operation) else { continue }
            var last = index
            if let next = soleReader(of: last), case .batchNorm(let op) = graph.nodes[next].operation, own == .linear {
                fold(op, weights: weights[next], into: index, graph)
                absorbedBy[next] = index
                last = next
            }
            activations[index] = own
            if own == .linear, let next = soleReader(of: last), case .activation(let activation) = graph.nodes[next].operation {
                activations[index] = activation
                absorbedBy[next] = index
            }
        }
    }

    /// The activation of a layer that can absorb others: conv2d, depthwise_conv2d and dense.
    private static func producerActivation(_ operation: Operation) -> Activation? {
        switch operation {
        case .conv2d(let op): op.activation
        case .depthwiseConv2D(let op): op.activation
        case .dense(let op): op.activation
        case .maxPool2D, .avgPool2D, .globalAvgPool2D, .globalMaxPool2D, .zeroPadding2D, .batchNorm, .flatten,
            .activation, .dropout, .add, .concatenate:
            nil
        }
    }

    /// y = (x·k + b − mean) · γ / √(var + ε) + β = x·(k·s) + (b·s + β − mean·s): the kernel's last
    /// axis is the output channel for all three producers, so scaling by s there folds the norm.
    private mutating func fold(_ op: BatchNorm, weights norm: [[Float]], into index: Int, _ graph: Graph) {
        let (gamma, beta, mean, variance) = (norm[0], norm[1], norm[2], norm[3])
        let epsilon = Float(op.epsilon)
        let scale = (0..<gamma.count).map { gamma[$0] / (variance[$0] + epsilon).squareRoot() }
        let channels = scale.count
        var kernel = weights[index][0]
        for i in kernel.indices { kernel[i] *= scale[i % channels] }
        let bias = weights[index].count > 1 ? weights[index][1] : [Float](repeating: 0, count: channels)
        weights[index] = [kernel, (0..<channels).map { bias[$0] * scale[$0] + beta[$0] - mean[$0] * scale[$0] }]
    }
}
