import CNNGraph
import CNNKernels

/// `conv2d`: a matrix product of image patches and the packed kernel [kh·kw·in, out], bias, a
/// folded residual (the step's second input, if any) and clamp fused into the store
/// (`CNNKernels.convolution`).
struct Conv2DKernel: LayerKernel {
    let window: WindowGeometry
    let filters: Int
    let weights: PackedLayerWeights
    let clamp: Clamp
    /// An activation the store cannot fuse, run over the output afterwards.
    let after: CNNKernels.Activation?

    /// Whether the kernel runs by Winograd's transform (`CNNKernels.usesWinograd`).
    let winograd: Bool

    init(_ op: Conv2D, input: TensorShape, output: TensorShape, kernel: [Float], bias: [Float]?) {
        window = WindowGeometry(op.window, input: input, output: output)
        filters = op.filters
        winograd = usesWinograd(
            channels: window.channels, filters: filters, outputHeight: window.outputHeight,
            outputWidth: window.outputWidth, kernel: window.kernel, strides: window.strides, dilation: window.dilation)
        weights =
            winograd
            ? PackedLayerWeights(winograd: kernel, channels: window.channels, filters: filters, bias: bias)
            : PackedLayerWeights(kernel: kernel, rows: window.depth, columns: filters, bias: bias)
        (clamp, after) = KernelActivation.split(op.activation)
    }

    var scratchCount: Int {
        winograd
            ? winogradScratchCount(channels: window.channels, filters: filters)
            : CNNKernels.scratchCount(depth: window.depth)
    }

    func run(_ inputs: StepInputs, into output: UnsafeMutablePointer<Float>, batch: Int, scratch: Scratch) {
        let w = window
        convolution(
            batch, inputs[0], output, height: w.height, width: w.width, channels: w.channels,
            outputHeight: w.outputHeight, outputWidth: w.outputWidth, filters: filters, kernel: w.kernel,
            strides: w.strides, dilation: w.dilation, padding: w.padding, weights: weights.kernel, bias: weights.bias,
            clamp: clamp, residual: inputs.count > 1 ? inputs[1] : nil, scratch: scratch)
        if let after {
            activate(
                after, output, count: batch * w.outputHeight * w.outputWidth * filters, channels: filters,
                parts: scratch.parts)
        }
    }
}

/// `depthwise_conv2d`: output channel j = c·multiplier + m reads input channel c
/// (`CNNKernels.depthwise`); the kernel [kh, kw, in, mult] is read flat as [kh, kw, in·mult].
struct DepthwiseConv2DKernel: LayerKernel {
    let window: WindowGeometry
    let multiplier: Int
    let weights: PackedLayerWeights
    let clamp: Clamp
    let after: CNNKernels.Activation?

    init(_ op: DepthwiseConv2D, input: TensorShape, output: TensorShape, kernel: [Float], bias: [Float]?) {
        window = WindowGeometry(op.window, input: input, output: output)
        multiplier = op.depthMultiplier
        weights = PackedLayerWeights(flat: kernel, bias: bias, channels: output.channels)
        (clamp, after) = KernelActivation.split(op.activation)
    }

    func run(_ inputs: StepInputs, into output: UnsafeMutablePointer<Float>, batch: Int, scratch: Scratch) {
        let w = window
        depthwise(
            batch, inputs[0], output, height: w.height, width: w.width, channels: w.channels, multiplier: multiplier,
            outputHeight: w.outputHeight, outputWidth: w.outputWidth, kernel: w.kernel, strides: w.strides,
            dilation: w.dilation, padding: w.padding, weights: weights.kernel, bias: weights.bias, clamp: clamp,
            parts: scratch.parts)
        if let after {
            let channels = w.channels * multiplier
            activate(
                after, output, count: batch * w.outputHeight * w.outputWidth * channels, channels: channels,
                parts: scratch.parts)
        }
    }
}

/// `dense` on a rank-1 input: the batch is the left operand of one matrix product with the
/// kernel [in, units] (`CNNKernels.dense`), a folded residual (a second input) added as it stores.
struct DenseKernel: LayerKernel {
    let inputs: Int
    let units: Int
    let weights: PackedLayerWeights
    let clamp: Clamp
    let after: CNNKernels.Activation?

    init(_ op: Dense, input: TensorShape, kernel: [Float], bias: [Float]?) {
        inputs = input.channels
        units = op.units
        weights = PackedLayerWeights(kernel: kernel, rows: inputs, columns: units, bias: bias)
        (clamp, after) = KernelActivation.split(op.activation)
    }

    var scratchCount: Int { CNNKernels.scratchCount(depth: inputs) }

    func run(_ inputs: StepInputs, into output: UnsafeMutablePointer<Float>, batch: Int, scratch: Scratch) {
        dense(
            batch, inputs[0], output, inputs: self.inputs, units: units, weights: weights.kernel, bias: weights.bias,
            clamp: clamp, residual: inputs.count > 1 ? inputs[1] : nil, scratch: scratch)
        if let after { activate(after, output, count: batch * units, channels: units, parts: scratch.parts) }
    }
}
