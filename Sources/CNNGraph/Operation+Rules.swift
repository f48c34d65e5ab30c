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
            case .globalAvgPool2D: .globalAvgPool2D
            case .globalMaxPool2D: .globalMaxPool2D
            case .zeroPadding2D: reader.explicitPadding().map(Operation.zeroPadding2D)
            case .batchNorm: BatchNorm.read(&reader).map(Operation.batchNorm)
            case .flatten: .flatten
            case .dense: Dense.read(&reader).map(Operation.dense)
            case .activation: reader.activation(required: true).map(Operation.activation)
            case .dropout: reader.number("rate", default: nil, in: 0..<1, describedAs: "in [0, 1)").map { .dropout(rate: $0) }
            case .add: .add
            case .concatenate: .concatenate
            }
        reader.finish()
        return reader.failed ? nil : operation
    }

    /// The input rank the operation needs: 3 for feature-map layers, 1 for dense, nil for any.
    var requiredRank: Int? {
        switch self {
        case .conv2d, .depthwiseConv2D, .separableConv2D, .conv2DTranspose, .maxPool2D, .avgPool2D, .globalAvgPool2D,
            .globalMaxPool2D, .zeroPadding2D:
            3
        case .dense: 1
        case .batchNorm, .flatten, .activation, .dropout, .add, .concatenate: nil
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
        case .globalAvgPool2D, .globalMaxPool2D: return Reshaping.globalPool(input)
        case .zeroPadding2D(let padding): return try padding.outputShape(input, context)
        case .flatten: return try Reshaping.flatten(input, context)
        case .dense(let op): return TensorShape([op.units])
        case .batchNorm, .activation, .dropout: return input
        case .add: return try Merge.add(inputs, names: names, context)
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
        case .maxPool2D, .avgPool2D, .globalAvgPool2D, .globalMaxPool2D, .zeroPadding2D, .flatten, .activation, .dropout,
            .add, .concatenate:
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
            .dropout, .add, .concatenate:
            0
        }
    }
}
