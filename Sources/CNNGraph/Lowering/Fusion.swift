/// Layers folded into the convolution or dense layer before them, as ONNX Runtime folds them: a
/// `batch_norm`, `rescaling` or `normalization` (x · scale + shift per channel) becomes a scale of
/// the producer's output channels plus a bias, exactly; an `add` of the producer's output and a
/// value of the same shape computed before it (a residual connection) is added as the producer
/// stores; and an `activation` layer becomes the producer's own activation, applied as it stores,
/// after the bias and the residual, as the layers would apply them. Each fold applies only when
/// the producer's output has no other reader, so no one sees the unfused value. Both back ends run
/// the fused graph; each folds the weights itself.
public struct Fusion: Sendable {
    /// For each node, the node whose kernel computes its output instead, or nil when it runs itself.
    public private(set) var absorbedBy: [Int?]
    /// For each producer that absorbed a batch_norm, rescaling or normalization, that node.
    public private(set) var foldedNorm: [Int: Int] = [:]
    /// For each conv2d or dense node that absorbed an `add`, the add's other input, which it adds
    /// to its output as it stores.
    public private(set) var residuals: [Int: ValueID] = [:]
    /// The activation each conv2d, depthwise_conv2d, separable_conv2d, conv2d_transpose and dense
    /// node applies after fusion.
    public private(set) var activations: [Int: Activation] = [:]

    public init(_ graph: Graph) {
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
            guard let own = node.operation.producerActivation else { continue }
            var last = index
            if own == .linear, let next = soleReader(of: last), graph.nodes[next].operation.isScaleShift {
                foldedNorm[index] = next
                absorbedBy[next] = index
                last = next
            }
            if own == .linear, let next = soleReader(of: last),
                let other = residual(graph, add: next, of: last, before: index)
            {
                residuals[index] = other
                absorbedBy[next] = index
                last = next
            }
            activations[index] = own
            if own == .linear, let next = soleReader(of: last),
                case .activation(let activation) = graph.nodes[next].operation
            {
                activations[index] = activation
                absorbedBy[next] = index
            }
        }
    }

    /// The other input of `add` when it can be added as the producer at `producer` stores value
    /// `value`: a conv2d or dense producer, an `add` of exactly two inputs of one shape, and the
    /// other input computed before the producer runs.
    private func residual(_ graph: Graph, add: Int, of value: Int, before producer: Int) -> ValueID? {
        let node = graph.nodes[add]
        guard node.operation == .add, node.inputs.count == 2 else { return nil }
        switch graph.nodes[producer].operation {
        case .conv2d, .dense: break
        default: return nil
        }
        let other = node.inputs[0] == .node(value) ? node.inputs[1] : node.inputs[0]
        guard other != .node(value), graph.shape(of: other) == node.outputShape,
            graph.nodes[producer].outputShape == node.outputShape
        else { return nil }
        if case .node(let index) = other, (absorbedBy[index] ?? index) >= producer { return nil }
        return other
    }

    /// Whether the node runs a kernel of its own: not absorbed, and not a layer whose output is
    /// its input (flatten, reshape, dropout).
    public func runs(_ node: GraphNode, at index: Int) -> Bool {
        guard absorbedBy[index] == nil else { return false }
        switch node.operation {
        case .flatten, .dropout, .reshape: return false
        case .conv2d, .depthwiseConv2D, .separableConv2D, .conv2DTranspose, .maxPool2D, .avgPool2D, .globalAvgPool2D,
            .globalMaxPool2D, .zeroPadding2D, .batchNorm, .dense, .activation, .add, .concatenate, .relu, .rescaling,
            .normalization, .cropping2D, .upSampling2D, .merge:
            return true
        }
    }
}

extension Operation {
    /// A per-channel x · scale + shift: `batch_norm`, `rescaling`, `normalization`. One that
    /// follows a convolution or dense layer without an activation is folded into its weights.
    var isScaleShift: Bool {
        switch self {
        case .batchNorm, .rescaling, .normalization: true
        default: false
        }
    }

    /// The activation of a layer that can absorb others: the convolutions and dense. A norm folds
    /// into separable_conv2d's pointwise kernel, and into conv2d_transpose's kernel once it is the
    /// matrix [in, kh·kw·filters], whose last axis steps through the filters.
    var producerActivation: Activation? {
        switch self {
        case .conv2d(let op): op.activation
        case .depthwiseConv2D(let op): op.activation
        case .separableConv2D(let op): op.activation
        case .conv2DTranspose(let op): op.activation
        case .dense(let op): op.activation
        case .maxPool2D, .avgPool2D, .globalAvgPool2D, .globalMaxPool2D, .zeroPadding2D, .batchNorm, .flatten,
            .activation, .dropout, .add, .concatenate, .relu, .rescaling, .normalization, .reshape, .cropping2D,
            .upSampling2D, .merge:
            nil
        }
    }
}
