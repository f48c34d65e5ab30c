import CNNGraph
import CNNKernels

/// `conv2d_transpose`: a matrix product of input pixels and the kernel as [in, kh·kw·filters],
/// each row added to the output pixels it covers (`CNNKernels.transposedConvolution`).
struct Conv2DTransposeKernel: LayerKernel {
    let height, width, channels: Int
    let outputHeight, outputWidth, filters: Int
    let kernel, strides: (Int, Int)
    let padding: (top: Int, left: Int)
    let weights: PackedLayerWeights
    let clamp: Clamp
    /// An activation the clamp does not cover, run over the output afterwards.
    let after: CNNKernels.Activation?

    /// `matrix`: the kernel as [in, kh·kw·filters] (`transposedConvolutionMatrix`).
    init(_ op: Conv2DTranspose, input: TensorShape, output: TensorShape, matrix: [Float], bias: [Float]?) {
        (height, width, channels) = (input.height, input.width, input.channels)
        (outputHeight, outputWidth, filters) = (output.height, output.width, op.filters)
        self.kernel = (op.kernel.height, op.kernel.width)
        strides = (op.strides.height, op.strides.width)
        padding = op.cut
        weights = PackedLayerWeights(
            kernel: matrix, rows: channels, columns: self.kernel.0 * self.kernel.1 * filters, bias: bias)
        (clamp, after) = KernelActivation.split(op.activation)
    }

    var scratchCount: Int { transposedScratchCount(channels: channels, kernel: kernel, filters: filters) }

    func run(_ inputs: StepInputs, into output: UnsafeMutablePointer<Float>, batch: Int, scratch: Scratch) {
        transposedConvolution(
            batch, inputs[0], output, height: height, width: width, channels: channels, outputHeight: outputHeight,
            outputWidth: outputWidth, filters: filters, kernel: kernel, strides: strides, padding: padding,
            weights: weights.kernel, bias: weights.bias, clamp: clamp, scratch: scratch)
        if let after {
            activate(
                after, output, count: batch * outputHeight * outputWidth * filters, channels: filters,
                parts: scratch.parts)
        }
    }
}
