import CNNGraph
import CNNKernels

/// `max_pool2d` and `avg_pool2d` (`CNNKernels.pool`). Cells of a `same` window outside the input
/// are skipped: they never win a max, and an average divides by the cells inside only, as Keras does.
struct Pool2DKernel: LayerKernel {
    let window: WindowGeometry
    let average: Bool

    init(_ op: Pool2D, average: Bool, input: TensorShape, output: TensorShape) {
        window = WindowGeometry(op.window, input: input, output: output)
        self.average = average
    }

    func run(_ inputs: StepInputs, into output: UnsafeMutablePointer<Float>, batch: Int, scratch: Scratch) {
        let w = window
        pool(
            batch, inputs[0], output, average: average, height: w.height, width: w.width, channels: w.channels,
            outputHeight: w.outputHeight, outputWidth: w.outputWidth, window: w.kernel, strides: w.strides,
            padding: w.padding, parts: scratch.parts)
    }
}

/// `global_avg_pool2d` and `global_max_pool2d`: one value per channel over the whole image.
struct GlobalPool2DKernel: LayerKernel {
    let average: Bool
    let pixels: Int
    let channels: Int

    init(average: Bool, input: TensorShape) {
        self.average = average
        pixels = input.height * input.width
        channels = input.channels
    }

    func run(_ inputs: StepInputs, into output: UnsafeMutablePointer<Float>, batch: Int, scratch: Scratch) {
        globalPool(batch, inputs[0], output, average: average, pixels: pixels, channels: channels)
    }
}

/// `zero_padding2d`: each input row copied into the middle of a zeroed output row.
struct ZeroPadding2DKernel: LayerKernel {
    let padding: Padding2D
    let input: TensorShape
    let output: TensorShape

    func run(_ inputs: StepInputs, into output: UnsafeMutablePointer<Float>, batch: Int, scratch: Scratch) {
        zeroPad(
            batch, inputs[0], output, height: input.height, width: input.width, channels: input.channels,
            outputHeight: self.output.height, outputWidth: self.output.width, top: padding.top, left: padding.left,
            parts: scratch.parts)
    }
}
