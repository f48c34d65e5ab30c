/// The layer vocabulary as one table: for each `type:`, what it is, how many inputs it joins and
/// the keys it takes with their values and defaults. The validator reads keys by it and
/// `cnnc schema` prints it, so the two cannot disagree.
extension OperationKind {
    /// The keys a layer of this kind takes besides `type`, `name` and `inputs`, in the order
    /// the contract lists them.
    public var layerKeys: [LayerKey] {
        switch self {
        case .conv2d:
            [.filters, .kernelSize, .strides, .padding, .dilationRate, .activation(), .useBias]
        case .depthwiseConv2D:
            [.kernelSize, .depthMultiplier, .strides, .padding, .dilationRate, .activation(), .useBias]
        case .separableConv2D:
            [.filters, .kernelSize, .depthMultiplier, .strides, .padding, .dilationRate, .activation(), .useBias]
        case .conv2DTranspose: [.filters, .kernelSize, .strides, .padding, .activation(), .useBias]
        case .maxPool2D, .avgPool2D: [.poolSize, .poolStrides, .padding]
        case .zeroPadding2D:
            [
                LayerKey(
                    "padding", .sides, default: .integer(1),
                    "Zeros added around the feature map: n on every side, [rows, columns] (top and bottom, left and right) or [[top, bottom], [left, right]]."
                )
            ]
        case .batchNorm:
            [
                LayerKey(
                    "epsilon", .number(.positive), default: .number(0.001),
                    "Added to the moving variance before its square root.")
            ]
        case .dense:
            [
                LayerKey("units", .integer(minimum: 1), default: nil, "Number of outputs."), .activation(),
                .useBias,
            ]
        case .activation: [.activation(required: true)]
        case .dropout:
            [
                LayerKey(
                    "rate", .number(.rate), default: nil,
                    "Fraction of the inputs dropped in training, 0 <= rate < 1; at inference the layer passes its input on."
                )
            ]
        case .globalAvgPool2D, .globalMaxPool2D:
            [
                LayerKey(
                    "keepdims", .boolean, default: .boolean(false),
                    "true keeps the pooled axes: the output is [1, 1, channels] instead of [channels].")
            ]
        case .relu:
            [
                LayerKey(
                    "max_value", .number(.nonNegative), default: .null,
                    "The largest output (6 makes relu6); none leaves the output uncapped."),
                .negativeSlope(default: 0),
                LayerKey(
                    "threshold", .number(.nonNegative), default: .number(0),
                    "Inputs below it are scaled by negative_slope (after subtracting it); those above pass."),
            ]
        case .leakyRelu: [.negativeSlope(default: 0.3)]
        case .rescaling:
            [
                LayerKey(
                    "scale", .number(.finite), default: nil,
                    "Every value is multiplied by it (1/255 maps bytes to [0, 1])."),
                LayerKey("offset", .number(.finite), default: .number(0), "Added after scaling."),
            ]
        case .normalization:
            [
                LayerKey(
                    "mean", .numbers(.finite), default: .fromWeights,
                    "Subtracted from the input: one number for every channel or a list of one per channel. Give it with variance, or neither: then both come from the weights file as <name>.mean and <name>.variance."
                ),
                LayerKey(
                    "variance", .numbers(.nonNegative), default: .fromWeights,
                    "The input is divided by its square root (at least 1e-7): one number for every channel or a list of one per channel. Give it with mean, or neither."
                ),
            ]
        case .reshape:
            [
                LayerKey(
                    "target_shape", .targetShape, default: nil,
                    "The output shape without the batch axis: [n] or [height, width, channels], row-major as flatten; one size may be -1 for what is left."
                )
            ]
        case .cropping2D:
            [
                LayerKey(
                    "cropping", .sides, default: .integer(0),
                    "Rows and columns removed from the edges: n on every side, [rows, columns] (top and bottom, left and right) or [[top, bottom], [left, right]]."
                )
            ]
        case .upSampling2D:
            [
                LayerKey(
                    "size", .size2D(minimum: 1), default: .integer(2),
                    "Factor by which height and width grow: n for both or [sh, sw]."),
                LayerKey(
                    "interpolation", .word(UpSampling2D.Interpolation.allCases.map(\.rawValue)),
                    default: .word("nearest"),
                    "nearest repeats each pixel; bilinear interpolates with half-pixel centers, as Keras resizes."),
            ]
        case .flatten, .add, .concatenate, .softmax, .multiply, .subtract, .average, .maximum, .minimum: []
        }
    }

    /// The names of `layerKeys`.
    public var keys: [String] { layerKeys.map(\.name) }

    /// How many inputs the layer takes: one, or at least two for the merges (subtract exactly two).
    public var inputCount: ClosedRange<Int> {
        switch self {
        case .subtract: 2...2
        case .add, .concatenate, .multiply, .average, .maximum, .minimum: 2...Int.max
        case .conv2d, .depthwiseConv2D, .separableConv2D, .conv2DTranspose, .maxPool2D, .avgPool2D, .globalAvgPool2D,
            .globalMaxPool2D, .zeroPadding2D, .batchNorm, .flatten, .dense, .activation, .dropout, .relu, .leakyRelu,
            .softmax, .rescaling, .normalization, .reshape, .cropping2D, .upSampling2D:
            1...1
        }
    }

    /// What the layer computes, for documentation and editor hovers.
    public var summary: String {
        switch self {
        case .conv2d: "2-D convolution (keras.layers.Conv2D), channels last."
        case .depthwiseConv2D: "Depthwise 2-D convolution (DepthwiseConv2D): each channel convolved on its own."
        case .separableConv2D: "Depthwise then 1x1 convolution (SeparableConv2D)."
        case .conv2DTranspose:
            "Transposed convolution (Conv2DTranspose), without output_padding or dilation: valid gives in·s + max(k − s, 0), same gives in·s."
        case .maxPool2D: "Maximum over each window (MaxPooling2D)."
        case .avgPool2D: "Mean over each window (AveragePooling2D); with same padding, padded cells are not counted."
        case .globalAvgPool2D: "Mean over height and width (GlobalAveragePooling2D)."
        case .globalMaxPool2D: "Maximum over height and width (GlobalMaxPooling2D)."
        case .zeroPadding2D: "Zeros around the feature map (ZeroPadding2D)."
        case .batchNorm: "Batch normalization at inference with the moving statistics, last axis (BatchNormalization)."
        case .flatten: "Row-major flattening over height, width and channels (Flatten)."
        case .dense: "Fully connected layer on a flat input (Dense); put flatten or a global pool before it."
        case .activation: "An activation function as a layer of its own (Activation)."
        case .dropout: "Dropout: the identity at inference."
        case .add: "Element-wise sum of the inputs (Add); a size-1 axis broadcasts."
        case .concatenate: "Joins the inputs on the channel axis (Concatenate); the other axes must agree."
        case .relu: "ReLU layer with an optional cap, slope and threshold (ReLU)."
        case .leakyRelu: "Leaky ReLU layer (LeakyReLU)."
        case .softmax: "Softmax over the last axis (Softmax)."
        case .rescaling: "x · scale + offset (Rescaling)."
        case .normalization: "(x − mean) / max(sqrt(variance), 1e-7) on the last axis (Normalization)."
        case .reshape: "Reshape without the batch axis (Reshape), row-major."
        case .cropping2D: "Removes rows and columns at the edges (Cropping2D)."
        case .upSampling2D: "Repeats or interpolates pixels (UpSampling2D)."
        case .multiply: "Element-wise product of the inputs (Multiply); a size-1 axis broadcasts."
        case .subtract: "First input minus second (Subtract); a size-1 axis broadcasts."
        case .average: "Element-wise mean of the inputs (Average); a size-1 axis broadcasts."
        case .maximum: "Element-wise maximum of the inputs (Maximum); a size-1 axis broadcasts."
        case .minimum: "Element-wise minimum of the inputs (Minimum); a size-1 axis broadcasts."
        }
    }

    /// The table's entry for `name`; asking for a key the table does not list is a bug in cnnc.
    func layerKey(_ name: String) -> LayerKey {
        guard let key = layerKeys.first(where: { $0.name == name }) else {
            preconditionFailure("layer type '\(rawValue)' has no key '\(name)' in its table")
        }
        return key
    }
}

extension LayerKey {
    static let filters = LayerKey("filters", .integer(minimum: 1), default: nil, "Number of output channels.")
    static let kernelSize = LayerKey(
        "kernel_size", .size2D(minimum: 1), default: nil,
        "Height and width of the window: n for a square one or [kh, kw].")
    static let strides = LayerKey(
        "strides", .size2D(minimum: 1), default: .integer(1), "Step of the window: n for both axes or [sh, sw].")
    static let dilationRate = LayerKey(
        "dilation_rate", .size2D(minimum: 1), default: .integer(1),
        "Spacing between the window's taps: n or [dh, dw]; above 1 only with strides 1, as in Keras.")
    static let padding = LayerKey(
        "padding", .word(Padding.allCases.map(\.rawValue)), default: .word("valid"),
        "valid: no padding, the window stays inside the input; same: zeros around it so that the output is ceil(input / stride), the smaller half on top and left. Any case (SAME)."
    )
    static let useBias = LayerKey(
        "use_bias", .boolean, default: .boolean(true),
        "Whether the layer adds a bias (the weights file then holds <name>.bias).")
    static let depthMultiplier = LayerKey(
        "depth_multiplier", .integer(minimum: 1), default: .integer(1),
        "Output channels of the depthwise step per input channel.")
    static let poolSize = LayerKey(
        "pool_size", .size2D(minimum: 1), default: .integer(2), "Height and width of the pooling window: n or [ph, pw]."
    )
    static let poolStrides = LayerKey(
        "strides", .size2D(minimum: 1), default: .sameAs("pool_size"),
        "Step of the window: n for both axes, [sh, sw], or none for the pool size.")

    static func activation(required: Bool = false) -> LayerKey {
        LayerKey(
            "activation", .activation, default: required ? nil : .word("linear"),
            "Applied to the output, with Keras 3's definitions (swish is also spelled silu).")
    }

    static func negativeSlope(default value: Double) -> LayerKey {
        LayerKey(
            "negative_slope", .number(.nonNegative), default: .number(value), "Slope for inputs below the threshold.")
    }
}
