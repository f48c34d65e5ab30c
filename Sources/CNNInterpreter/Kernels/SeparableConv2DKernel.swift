import CNNGraph
import CNNKernels

/// `separable_conv2d`: the depthwise step on a band of rows into scratch, then the pointwise
/// product with bias and clamp fused (`CNNKernels.separable`). The depthwise kernel
/// [kh, kw, in, mult] is read flat, the pointwise one [1, 1, in·mult, filters] packed in panels.
struct SeparableConv2DKernel: LayerKernel {
    let window: WindowGeometry
    let multiplier: Int
    let filters: Int
    let depthwiseWeights: PackedLayerWeights
    let pointwiseWeights: PackedLayerWeights
    let clamp: Clamp
    /// An activation the store cannot fuse, run over the output afterwards.
    let after: CNNKernels.Activation?

    /// `weights`: depthwise_kernel, pointwise_kernel and, with use_bias, bias.
    init(_ op: SeparableConv2D, input: TensorShape, output: TensorShape, weights: [[Float]]) {
        window = WindowGeometry(op.window, input: input, output: output)
        multiplier = op.depthMultiplier
        filters = op.filters
        let channels = op.intermediateChannels(input)
        depthwiseWeights = PackedLayerWeights(flat: weights[0], bias: nil, channels: channels)
        pointwiseWeights = PackedLayerWeights(
            kernel: weights[1], rows: channels, columns: filters, bias: weights.count > 2 ? weights[2] : nil)
        (clamp, after) = KernelActivation.split(op.activation)
    }

    var scratchCount: Int {
        separableScratchCount(
            outputHeight: window.outputHeight, outputWidth: window.outputWidth, channels: window.channels * multiplier)
    }

    func run(_ inputs: StepInputs, into output: UnsafeMutablePointer<Float>, batch: Int, scratch: Scratch) {
        let w = window
        separable(
            batch, inputs[0], output, height: w.height, width: w.width, channels: w.channels, multiplier: multiplier,
            outputHeight: w.outputHeight, outputWidth: w.outputWidth, filters: filters, kernel: w.kernel,
            strides: w.strides, dilation: w.dilation, padding: w.padding, depthwiseWeights: depthwiseWeights.kernel,
            pointwiseWeights: pointwiseWeights.kernel, bias: pointwiseWeights.bias, clamp: clamp, scratch: scratch)
        if let after {
            activate(
                after, output, count: batch * w.outputHeight * w.outputWidth * filters, channels: filters,
                parts: scratch.parts)
        }
    }
}
