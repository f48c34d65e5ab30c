import CNNGraph
import CNNKernels

/// `concatenate` on the channel axis: for every pixel, each input's channels in turn.
struct ConcatenateKernel: LayerKernel {
    /// Channels of each input.
    let widths: [Int]
    /// Pixels of one sample (height · width, or 1 for rank-1 inputs).
    let pixels: Int

    func run(_ inputs: StepInputs, into output: UnsafeMutablePointer<Float>, batch: Int, scratch: Scratch) {
        let total = widths.reduce(0, +)
        var offset = 0
        for (index, width) in widths.enumerated() {
            copyChannels(batch * pixels, inputs[index], width: width, output, total: total, offset: offset)
            offset += width
        }
    }
}

/// x · scale + shift per channel: a `batch_norm` that no producer absorbed ((x − mean) /
/// √(variance + ε) · γ + β, folded once), `rescaling` and `normalization`.
struct ScaleShiftKernel: LayerKernel {
    let weights: PackedLayerWeights
    let channels: Int
    let elementsPerSample: Int

    init(scale: [Float], shift: [Float], shape: TensorShape) {
        weights = PackedLayerWeights(flat: scale, bias: shift, channels: scale.count)
        channels = scale.count
        elementsPerSample = shape.elementCount ?? 0
    }

    func run(_ inputs: StepInputs, into output: UnsafeMutablePointer<Float>, batch: Int, scratch: Scratch) {
        scaleShift(
            batch * elementsPerSample, inputs[0], output, channels: channels, scale: weights.kernel,
            shift: weights.bias,
            parts: scratch.parts)
    }
}

/// A standalone `activation` layer: its input's activation written to its output in one pass.
struct ActivationKernel: LayerKernel {
    let activation: CNNKernels.Activation
    /// The last axis, which softmax normalizes.
    let channels: Int
    let elementsPerSample: Int

    init(_ activation: CNNGraph.Activation, shape: TensorShape) {
        self.activation = KernelActivation.pass(activation)
        channels = shape.channels
        elementsPerSample = shape.elementCount ?? 0
    }

    func run(_ inputs: StepInputs, into output: UnsafeMutablePointer<Float>, batch: Int, scratch: Scratch) {
        let count = batch * elementsPerSample
        activate(activation, inputs[0], output, count: count, channels: channels, parts: scratch.parts)
    }
}
