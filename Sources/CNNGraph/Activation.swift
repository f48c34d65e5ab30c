/// The element-wise activations of the spec vocabulary, with Keras 3's definitions.
public enum Activation: String, CaseIterable, Sendable {
    case linear
    case relu
    case relu6
    /// Negative slope 0.2, Keras 3's default.
    case leakyRelu = "leaky_relu"
    case elu
    case selu
    /// The exact form, x·Φ(x) with erf.
    case gelu
    case sigmoid
    /// relu6(x + 3) / 6
    case hardSigmoid = "hard_sigmoid"
    case tanh
    /// Over the last axis.
    case softmax
    case softplus
    case softsign
    /// x·sigmoid(x); also spelled `silu`.
    case swish

    /// Parses a spec spelling, including the alias `silu`.
    public init?(spelling: String) {
        if spelling == "silu" {
            self = .swish
        } else {
            self.init(rawValue: spelling)
        }
    }

    /// Every accepted spelling, for did-you-mean.
    public static var spellings: [String] { allCases.map(\.rawValue) + ["silu"] }

    /// The closed interval every output lies in, when it is bounded below (for redundancy checks).
    var range: ClosedRange<Double>? {
        switch self {
        case .relu, .softplus: 0...Double.infinity
        case .relu6: 0...6
        case .sigmoid, .hardSigmoid, .softmax: 0...1
        case .linear, .leakyRelu, .elu, .selu, .gelu, .tanh, .softsign, .swish: nil
        }
    }

    /// Whether applying `self` to values in `range` changes nothing.
    func isIdentity(on range: ClosedRange<Double>) -> Bool {
        switch self {
        case .linear: true
        case .relu: range.lowerBound >= 0
        case .relu6: range.lowerBound >= 0 && range.upperBound <= 6
        default: false
        }
    }
}

/// `valid` or `same`, as Keras spells them.
public enum Padding: String, CaseIterable, Sendable {
    case valid
    case same
}
