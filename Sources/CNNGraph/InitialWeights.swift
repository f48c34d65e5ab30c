/// Weights with Keras's default initializers, for trying a model without a trained file
/// (`cnnc init-weights`): glorot_uniform kernels, zero biases, batch_norm gamma 1, beta 0, mean 0
/// and variance 1, a normalization's mean 0 and variance 1. The same seed gives the same values.
public enum InitialWeights {
    /// Every tensor the graph declares, in the graph's order, keyed `<layer>.<param>`.
    public static func make(_ graph: Graph, seed: UInt64) -> [(key: String, shape: [Int], values: [Float])] {
        var generator = SplitMix64(seed: seed)
        var tensors: [(key: String, shape: [Int], values: [Float])] = []
        for node in graph.nodes {
            for weight in node.weights {
                let count = weight.elementCount
                let values: [Float]
                switch weight.name {
                case "kernel", "depthwise_kernel", "pointwise_kernel":
                    let (fanIn, fanOut) = fans(weight.shape)
                    let limit = (6 / Double(max(fanIn + fanOut, 1))).squareRoot()
                    values = (0..<count).map { _ in Float((generator.unit() * 2 - 1) * limit) }
                case "gamma", "moving_variance", "variance":
                    values = Array(repeating: 1, count: count)
                default:
                    values = Array(repeating: 0, count: count)
                }
                tensors.append(("\(node.name).\(weight.name)", weight.shape, values))
            }
        }
        return tensors
    }

    /// Keras's `compute_fans`: a kernel's last two axes are its inputs and outputs, the others its
    /// receptive field.
    static func fans(_ shape: [Int]) -> (in: Int, out: Int) {
        switch shape.count {
        case 0: return (1, 1)
        case 1: return (shape[0], shape[0])
        default:
            let receptive = shape.dropLast(2).reduce(1, *)
            return (shape[shape.count - 2] * receptive, shape[shape.count - 1] * receptive)
        }
    }
}

/// SplitMix64 (Steele, Lea and Flood): a small, fast generator whose stream is fixed by its seed.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), 53 bits.
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }
}
