import CNNGraph

/// `batch_norm` at inference: (x − mean) / √(variance + ε) · γ + β over the last axis, folded
/// once into x · scale + shift.
struct BatchNormKernel: LayerKernel {
    let scale: [Float]
    let shift: [Float]
    let elementsPerSample: Int

    init(_ op: BatchNorm, shape: TensorShape, gamma: [Float], beta: [Float], mean: [Float], variance: [Float]) {
        let epsilon = Float(op.epsilon)
        let scale = zip(gamma, variance).map { gamma, variance in gamma / (variance + epsilon).squareRoot() }
        self.scale = scale
        shift = (0..<scale.count).map { beta[$0] - mean[$0] * scale[$0] }
        elementsPerSample = shape.elementCount ?? 0
    }

    func run(_ inputs: StepInputs, into output: UnsafeMutablePointer<Float>, batch: Int, scratch: UnsafeMutablePointer<Float>) {
        let channels = scale.count
        let input = inputs[0]
        scale.withUnsafeBufferPointer { scale in
            shift.withUnsafeBufferPointer { shift in
                var offset = 0
                while offset < batch * elementsPerSample {
                    for c in 0..<channels { output[offset + c] = input[offset + c] * scale[c] + shift[c] }
                    offset += channels
                }
            }
        }
    }
}
