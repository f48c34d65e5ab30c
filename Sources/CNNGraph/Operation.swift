import CNNSpec

/// What a layer computes. A closed set: adding a case fails to compile in every stage that must
/// handle it, because every switch over it is exhaustive.
public enum Operation: Hashable, Sendable {
    case conv2d(Conv2D)
    case depthwiseConv2D(DepthwiseConv2D)
    case separableConv2D(SeparableConv2D)
    case conv2DTranspose(Conv2DTranspose)
    case maxPool2D(Pool2D)
    case avgPool2D(Pool2D)
    case globalAvgPool2D(keepdims: Bool)
    case globalMaxPool2D(keepdims: Bool)
    case zeroPadding2D(Padding2D)
    case batchNorm(BatchNorm)
    case flatten
    case dense(Dense)
    case activation(Activation)
    case dropout(rate: Double)
    case add
    case concatenate
    /// A `relu` or `leaky_relu` layer that is not one of the activations.
    case relu(ReLU)
    case rescaling(Rescaling)
    case normalization(Normalization)
    case reshape(Reshape)
    case cropping2D(Padding2D)
    case upSampling2D(UpSampling2D)
    case merge(ElementwiseMerge)

    /// The activation fused into the layer, if any (`linear` counts as none).
    public var activation: Activation? {
        let fused: Activation? =
            switch self {
            case .conv2d(let op): op.activation
            case .depthwiseConv2D(let op): op.activation
            case .separableConv2D(let op): op.activation
            case .conv2DTranspose(let op): op.activation
            case .dense(let op): op.activation
            case .activation(let activation): activation
            case .maxPool2D, .avgPool2D, .globalAvgPool2D, .globalMaxPool2D, .zeroPadding2D, .batchNorm, .flatten,
                .dropout, .add, .concatenate, .relu, .rescaling, .normalization, .reshape, .cropping2D, .upSampling2D,
                .merge:
                nil
            }
        return fused == .linear ? nil : fused
    }
}

/// The spec's `type:` vocabulary.
public enum OperationKind: String, CaseIterable, Sendable {
    case conv2d
    case depthwiseConv2D = "depthwise_conv2d"
    case separableConv2D = "separable_conv2d"
    case conv2DTranspose = "conv2d_transpose"
    case maxPool2D = "max_pool2d"
    case avgPool2D = "avg_pool2d"
    case globalAvgPool2D = "global_avg_pool2d"
    case globalMaxPool2D = "global_max_pool2d"
    case zeroPadding2D = "zero_padding2d"
    case batchNorm = "batch_norm"
    case flatten
    case dense
    case activation
    case dropout
    case add
    case concatenate
    case relu
    case leakyRelu = "leaky_relu"
    case softmax
    case rescaling
    case normalization
    case reshape
    case cropping2D = "cropping2d"
    case upSampling2D = "upsampling2d"
    case multiply
    case subtract
    case average
    case maximum
    case minimum

    /// The Keras class the layer mirrors, for summaries.
    public var kerasName: String {
        switch self {
        case .conv2d: "Conv2D"
        case .depthwiseConv2D: "DepthwiseConv2D"
        case .separableConv2D: "SeparableConv2D"
        case .conv2DTranspose: "Conv2DTranspose"
        case .maxPool2D: "MaxPooling2D"
        case .avgPool2D: "AveragePooling2D"
        case .globalAvgPool2D: "GlobalAveragePooling2D"
        case .globalMaxPool2D: "GlobalMaxPooling2D"
        case .zeroPadding2D: "ZeroPadding2D"
        case .batchNorm: "BatchNormalization"
        case .flatten: "Flatten"
        case .dense: "Dense"
        case .activation: "Activation"
        case .dropout: "Dropout"
        case .add: "Add"
        case .concatenate: "Concatenate"
        case .relu: "ReLU"
        case .leakyRelu: "LeakyReLU"
        case .softmax: "Softmax"
        case .rescaling: "Rescaling"
        case .normalization: "Normalization"
        case .reshape: "Reshape"
        case .cropping2D: "Cropping2D"
        case .upSampling2D: "UpSampling2D"
        case .multiply: "Multiply"
        case .subtract: "Subtract"
        case .average: "Average"
        case .maximum: "Maximum"
        case .minimum: "Minimum"
        }
    }

    /// Whether the layer joins several inputs (`add`, `concatenate` and the element-wise merges).
    public var isMerge: Bool { inputCount.lowerBound > 1 }

    /// Other spellings people bring from Keras or PyTorch, mapped to the spec's.
    static let aliases: [String: OperationKind] = [
        "conv": .conv2d, "conv2D": .conv2d, "convolution2d": .conv2d,
        "depthwise": .depthwiseConv2D, "depthwiseconv2d": .depthwiseConv2D,
        "separableconv2d": .separableConv2D, "separable_convolution2d": .separableConv2D, "separable_conv": .separableConv2D,
        "conv2dtranspose": .conv2DTranspose, "convolution2d_transpose": .conv2DTranspose, "conv_transpose": .conv2DTranspose,
        "convtranspose2d": .conv2DTranspose, "deconv": .conv2DTranspose, "deconv2d": .conv2DTranspose,
        "maxpool": .maxPool2D, "maxpool2d": .maxPool2D, "max_pooling2d": .maxPool2D, "maxpooling2d": .maxPool2D,
        "avgpool": .avgPool2D, "avgpool2d": .avgPool2D, "average_pooling2d": .avgPool2D, "averagepooling2d": .avgPool2D,
        "global_average_pooling2d": .globalAvgPool2D, "globalaveragepooling2d": .globalAvgPool2D,
        "global_max_pooling2d": .globalMaxPool2D, "globalmaxpooling2d": .globalMaxPool2D,
        "zeropadding2d": .zeroPadding2D, "batch_normalization": .batchNorm, "batchnormalization": .batchNorm,
        "batchnorm": .batchNorm, "bn": .batchNorm, "linear": .dense, "fully_connected": .dense, "fc": .dense,
        "concat": .concatenate, "leakyrelu": .leakyRelu, "upsampling": .upSampling2D, "upsample": .upSampling2D,
        "up_sampling2d": .upSampling2D, "cropping": .cropping2D, "cropping_2d": .cropping2D, "mul": .multiply,
        "sub": .subtract, "max": .maximum, "min": .minimum, "mean": .average, "scale": .rescaling,
    ]

    /// The spec spelling meant by an unknown type, if any.
    public static func suggestion(for type: String) -> String? {
        if let alias = aliases[type] ?? aliases[type.lowercased()] { return alias.rawValue }
        return Suggestions.closest(to: type, in: allCases.map(\.rawValue))
    }
}
