import CNNGraph
import CNNKernels

/// A spec activation as the kernels run it: the clamp a matrix product's store applies for free,
/// and the pass over the output that must follow, if any. The emitter prints the same split.
package enum KernelActivation {
    package static func split(_ activation: CNNGraph.Activation) -> (clamp: Clamp, after: CNNKernels.Activation?) {
        switch activation {
        case .linear: (.none, nil)
        case .relu: (.relu, nil)
        case .relu6: (.relu6, nil)
        case .leakyRelu: (.leakyRelu, nil)
        case .elu, .selu, .gelu, .sigmoid, .hardSigmoid, .tanh, .softmax, .softplus, .softsign, .swish:
            (.none, pass(activation))
        }
    }

    /// The whole activation as a pass: a standalone `activation` layer.
    package static func pass(_ activation: CNNGraph.Activation) -> CNNKernels.Activation {
        switch activation {
        case .linear: .linear
        case .relu: .relu
        case .relu6: .relu6
        case .leakyRelu: .leakyRelu
        case .elu: .elu
        case .selu: .selu
        case .gelu: .gelu
        case .sigmoid: .sigmoid
        case .hardSigmoid: .hardSigmoid
        case .tanh: .tanh
        case .softmax: .softmax
        case .softplus: .softplus
        case .softsign: .softsign
        case .swish: .swish
        }
    }
}

/// A merge layer as `CNNKernels.combine` runs it: how two inputs combine, and whether the result
/// is then divided by the number of inputs (`average`). The emitter prints the same mapping.
package enum KernelCombination {
    package static func of(_ operation: Operation) -> (combination: Combination, averages: Bool) {
        switch operation {
        case .merge(.multiply): (.multiply, false)
        case .merge(.subtract): (.subtract, false)
        case .merge(.maximum): (.maximum, false)
        case .merge(.minimum): (.minimum, false)
        case .merge(.average): (.add, true)
        default: (.add, false)
        }
    }
}
