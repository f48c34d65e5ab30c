import CNNGraph
import CNNKernels

/// `cropping2d` (`CNNKernels.crop`).
struct CroppingKernel: LayerKernel {
    let crop: Padding2D
    let input: TensorShape
    let output: TensorShape

    func run(_ inputs: StepInputs, into output: UnsafeMutablePointer<Float>, batch: Int, scratch: Scratch) {
        CNNKernels.crop(
            batch, inputs[0], output, height: input.height, width: input.width, channels: input.channels,
            outputHeight: self.output.height, outputWidth: self.output.width, top: crop.top, left: crop.left)
    }
}

/// `upsampling2d`, nearest or bilinear.
struct UpSamplingKernel: LayerKernel {
    let op: UpSampling2D
    let input: TensorShape
    let output: TensorShape

    func run(_ inputs: StepInputs, into output: UnsafeMutablePointer<Float>, batch: Int, scratch: Scratch) {
        switch op.interpolation {
        case .nearest:
            upsampleNearest(
                batch, inputs[0], output, height: input.height, width: input.width, channels: input.channels,
                factors: (op.size.height, op.size.width))
        case .bilinear:
            upsampleBilinear(
                batch, inputs[0], output, height: input.height, width: input.width, channels: input.channels,
                outputHeight: self.output.height, outputWidth: self.output.width)
        }
    }
}

/// A `relu` layer in its general form (`CNNKernels.clippedRelu`).
struct ReLUKernel: LayerKernel {
    let op: ReLU
    let elementsPerSample: Int

    func run(_ inputs: StepInputs, into output: UnsafeMutablePointer<Float>, batch: Int, scratch: Scratch) {
        clippedRelu(
            batch * elementsPerSample, inputs[0], output, maxValue: op.maxValue.map(Float.init) ?? .infinity,
            slope: Float(op.negativeSlope), threshold: Float(op.threshold))
    }
}

/// `add` and the element-wise merges, a size-1 axis broadcast (`CNNKernels.combine`); an `add`
/// of equal shapes takes the plain sum.
struct MergeKernel: LayerKernel {
    let combination: Combination
    /// `average`: the sum, then a scale by 1 / inputs.
    let averages: Bool
    let shapes: [(Int, Int, Int)]
    let output: (Int, Int, Int)

    init(_ operation: Operation, inputs: [TensorShape], output: TensorShape) {
        func spatial(_ shape: TensorShape) -> (Int, Int, Int) {
            shape.rank == 3 ? (shape.height, shape.width, shape.channels) : (1, 1, shape.channels)
        }
        (combination, averages) = KernelCombination.of(operation)
        shapes = inputs.map(spatial)
        self.output = spatial(output)
    }

    func run(_ inputs: StepInputs, into output: UnsafeMutablePointer<Float>, batch: Int, scratch: Scratch) {
        let count = batch * self.output.0 * self.output.1 * self.output.2
        if combination == .add && shapes.allSatisfy({ $0 == self.output }) {
            add(count, inputs[0], inputs[1], output, parts: scratch.parts)
            for index in 2..<inputs.count { accumulate(count, inputs[index], output, parts: scratch.parts) }
        } else {
            combine(combination, batch, inputs[0], shapes[0], inputs[1], shapes[1], output, self.output)
            for index in 2..<inputs.count {
                combine(combination, batch, output, self.output, inputs[index], shapes[index], output, self.output)
            }
        }
        if averages { scale(count, output, by: 1 / Float(inputs.count)) }
    }
}
