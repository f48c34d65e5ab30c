import CNNGraph
import CNNKernels

/// `add`: the element-wise sum of equally shaped inputs.
struct AddKernel: LayerKernel {
    let elementsPerSample: Int

    func run(_ inputs: StepInputs, into output: UnsafeMutablePointer<Float>, batch: Int, scratch: UnsafeMutablePointer<Float>) {
        let count = batch * elementsPerSample
        add(count, inputs[0], inputs[1], output)
        for index in 2..<inputs.count { accumulate(count, inputs[index], output) }
    }
}

/// `concatenate` on the channel axis: for every pixel, each input's channels in turn.
struct ConcatenateKernel: LayerKernel {
    /// Channels of each input.
    let widths: [Int]
    /// Pixels of one sample (height · width, or 1 for rank-1 inputs).
    let pixels: Int

    func run(_ inputs: StepInputs, into output: UnsafeMutablePointer<Float>, batch: Int, scratch: UnsafeMutablePointer<Float>) {
        let total = widths.reduce(0, +)
        var offset = 0
        for (index, width) in widths.enumerated() {
            copyChannels(batch * pixels, inputs[index], width: width, output, total: total, offset: offset)
            offset += width
        }
    }
}

/// `batch_norm` that no producer absorbed: (x − mean) / √(variance + ε) · γ + β over the last
/// axis, folded once into x · scale + shift.
struct BatchNormKernel: LayerKernel {
    let weights: PackedLayerWeights
    let channels: Int
    let elementsPerSample: Int

    init(_ op: BatchNorm, shape: TensorShape, gamma: [Float], beta: [Float], mean: [Float], variance: [Float]) {
        let folded = normScaleShift(gamma: gamma, beta: beta, mean: mean, variance: variance, epsilon: Float(op.epsilon))
        weights = PackedLayerWeights(flat: folded.scale, bias: folded.shift, channels: gamma.count)
        channels = gamma.count
        elementsPerSample = shape.elementCount ?? 0
    }

    func run(_ inputs: StepInputs, into output: UnsafeMutablePointer<Float>, batch: Int, scratch: UnsafeMutablePointer<Float>) {
        scaleShift(
            batch * elementsPerSample, inputs[0], output, channels: channels, scale: weights.kernel, shift: weights.bias)
    }
}

/// A standalone `activation` layer, applied to a copy of its input.
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

    func run(_ inputs: StepInputs, into output: UnsafeMutablePointer<Float>, batch: Int, scratch: UnsafeMutablePointer<Float>) {
        let count = batch * elementsPerSample
        output.update(from: inputs[0], count: count)
        activate(activation, output, count: count, channels: channels)
    }
}
