import CNNGraph

/// The groups a picture colors layers by, each with a light fill under dark text and a darker
/// border (every fill keeps the text above 12:1 contrast; the legend names the colors, and every
/// box names its type, so nothing depends on telling hues apart).
public enum LayerFamily: String, CaseIterable, Sendable {
    case input
    case convolution
    case pooling
    case normalization
    case activation
    case merge
    case dense
    case reshaping
    case dropout

    /// The family of a layer type.
    public init(_ kind: OperationKind) {
        switch kind {
        case .conv2d, .depthwiseConv2D, .separableConv2D, .conv2DTranspose: self = .convolution
        case .maxPool2D, .avgPool2D, .globalAvgPool2D, .globalMaxPool2D: self = .pooling
        case .batchNorm, .normalization, .rescaling: self = .normalization
        case .activation, .relu, .leakyRelu, .softmax: self = .activation
        case .add, .concatenate, .multiply, .subtract, .average, .maximum, .minimum: self = .merge
        case .dense: self = .dense
        case .flatten, .reshape, .zeroPadding2D, .cropping2D, .upSampling2D: self = .reshaping
        case .dropout: self = .dropout
        }
    }

    /// The legend's words for the family.
    public var title: String {
        switch self {
        case .input: "input"
        case .convolution: "convolution"
        case .pooling: "pooling"
        case .normalization: "normalization, scaling"
        case .activation: "activation"
        case .merge: "merge (add, concatenate, …)"
        case .dense: "dense"
        case .reshaping: "reshape, pad, crop, resize"
        case .dropout: "dropout (identity at inference)"
        }
    }

    /// The box's fill, a light tint.
    public var fill: String {
        switch self {
        case .input: "#e5e7eb"
        case .convolution: "#dbeafe"
        case .pooling: "#d1fae5"
        case .normalization: "#fef3c7"
        case .activation: "#ffedd5"
        case .merge: "#ede9fe"
        case .dense: "#fce7f3"
        case .reshaping: "#e7e5e4"
        case .dropout: "#f5f5f5"
        }
    }

    /// The box's border, the family's color at full strength.
    public var stroke: String {
        switch self {
        case .input: "#374151"
        case .convolution: "#1d4ed8"
        case .pooling: "#047857"
        case .normalization: "#a16207"
        case .activation: "#c2410c"
        case .merge: "#6d28d9"
        case .dense: "#be185d"
        case .reshaping: "#57534e"
        case .dropout: "#737373"
        }
    }
}
