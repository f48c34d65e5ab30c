import CNNSpec

/// The per-operation rules, dispatched over the closed `Operation` set.
extension Operation {
    /// Reads a layer's keys into its operation; nil after reporting what was wrong.
    static func read(_ kind: OperationKind, _ reader: inout OptionReader) -> Operation? {
        let operation: Operation? =
            switch kind {
            case .conv2d: Conv2D.read(&reader).map(Operation.conv2d)
            case .depthwiseConv2D: DepthwiseConv2D.read(&reader).map(Operation.depthwiseConv2D)
            case .separableConv2D: SeparableConv2D.read(&reader).map(Operation.separableConv2D)
            case .conv2DTranspose: Conv2DTranspose.read(&reader).map(Operation.conv2DTranspose)
            case .maxPool2D: Pool2D.read(&reader).map(Operation.maxPool2D)
            case .avgPool2D: Pool2D.read(&reader).map(Operation.avgPool2D)
            case .globalAvgPool2D: .globalAvgPool2D(keepdims: reader.boolean("keepdims"))
            case .globalMaxPool2D: .globalMaxPool2D(keepdims: reader.boolean("keepdims"))
            case .zeroPadding2D: reader.explicitPadding("padding").map(Operation.zeroPadding2D)
            case .batchNorm: BatchNorm.read(&reader).map(Operation.batchNorm)
            case .flatten: .flatten
            case .dense: Dense.read(&reader).map(Operation.dense)
            case .activation: reader.activation().map(Operation.activation)
            case .dropout: reader.number("rate").map { .dropout(rate: $0) }
            case .add: .add
            case .concatenate: .concatenate
            case .relu: ReLU.readReLU(&reader)
            case .leakyRelu: ReLU.readLeakyReLU(&reader)
            case .softmax: .activation(.softmax)
            case .rescaling: Rescaling.read(&reader).map(Operation.rescaling)
            case .normalization: Normalization.read(&reader).map(Operation.normalization)
            case .reshape: Reshape.read(&reader).map(Operation.reshape)
            case .cropping2D: reader.explicitPadding("cropping").map(Operation.cropping2D)
            case .upSampling2D: UpSampling2D.read(&reader).map(Operation.upSampling2D)
            case .multiply: .merge(.multiply)
            case .subtract: .merge(.subtract)
            case .average: .merge(.average)
            case .maximum: .merge(.maximum)
            case .minimum: .merge(.minimum)
            }
        reader.finish()
        return reader.failed ? nil : operation
    }

    /// The input rank the operation needs: 3 for feature-map layers, 1 for dense, nil for any.
    var requiredRank: Int? {
        switch self {
        case .conv2d, .depthwiseConv2D, .separableConv2D, .conv2DTranspose, .maxPool2D, .avgPool2D, .globalAvgPool2D,
            .globalMaxPool2D, .zeroPadding2D, .cropping2D, .upSampling2D:
            3
        case .dense: 1
        case .batchNorm, .flatten, .activation, .dropout, .add, .concatenate, .relu, .rescaling, .normalization, .reshape,
            .merge:
            nil
        }
    }

    /// The output shape for inputs of the right rank, or the diagnostic saying why there is none.
    func outputShape(_ inputs: [TensorShape], names: [String], _ context: ShapeContext) throws(Diagnostic) -> TensorShape {
        let input = inputs[0]
        switch self {
        case .conv2d(let op): return try op.outputShape(input, context)
        case .depthwiseConv2D(let op): return try op.outputShape(input, context)
        case .separableConv2D(let op): return try op.outputShape(input, context)
        case .conv2DTranspose(let op): return try op.outputShape(input, context)
        case .maxPool2D(let op), .avgPool2D(let op): return try op.outputShape(input, context)
        case .globalAvgPool2D(let keepdims), .globalMaxPool2D(let keepdims):
            return Reshaping.globalPool(input, keepdims: keepdims)
        case .zeroPadding2D(let padding): return try padding.outputShape(input, context)
        case .flatten: return try Reshaping.flatten(input, context)
        case .dense(let op): return TensorShape([op.units])
        case .batchNorm, .activation, .dropout, .relu, .rescaling: return input
        case .normalization(let op): return try op.outputShape(input, context)
        case .reshape(let op): return try op.outputShape(input, context)
        case .cropping2D(let crop): return try Cropping.outputShape(crop, input, context)
        case .upSampling2D(let op): return try op.outputShape(input, context)
        case .add: return try Merge.broadcast(inputs, operation: "add", names: names, context)
        case .merge(let kind): return try Merge.broadcast(inputs, operation: kind.rawValue, names: names, context)
        case .concatenate: return try Merge.concatenate(inputs, names: names, context)
        }
    }

    /// The weight tensors for this input shape, in safetensors key order.
    func weights(_ input: TensorShape) -> [WeightSpec] {
        switch self {
        case .conv2d(let op): op.weights(input)
        case .depthwiseConv2D(let op): op.weights(input)
        case .separableConv2D(let op): op.weights(input)
        case .conv2DTranspose(let op): op.weights(input)
        case .batchNorm(let op): op.weights(input)
        case .dense(let op): op.weights(input)
        case .normalization(let op): op.weights(input)
        case .maxPool2D, .avgPool2D, .globalAvgPool2D, .globalMaxPool2D, .zeroPadding2D, .flatten, .activation, .dropout,
            .add, .concatenate, .relu, .rescaling, .reshape, .cropping2D, .upSampling2D, .merge:
            []
        }
    }

    /// Multiply-adds for one sample (bias adds not counted, as Keras's tools count them).
    func macs(_ input: TensorShape, _ output: TensorShape) -> Int {
        switch self {
        case .conv2d(let op): op.macs(input, output)
        case .depthwiseConv2D(let op): op.macs(input, output)
        case .separableConv2D(let op): op.macs(input, output)
        case .conv2DTranspose(let op): op.macs(input, output)
        case .dense(let op): input.channels * op.units
        case .maxPool2D, .avgPool2D, .globalAvgPool2D, .globalMaxPool2D, .zeroPadding2D, .batchNorm, .flatten, .activation,
            .dropout, .add, .concatenate, .relu, .rescaling, .normalization, .reshape, .cropping2D, .upSampling2D, .merge:
            0
        }
    }
}

extension Operation {
    /// Parameters Keras counts beyond the weight tensors: a normalization adapted from data keeps
    /// its sample count.
    var uncountedParameters: Int {
        if case .normalization(let op) = self, op.mean == nil { 1 } else { 0 }
    }
}
