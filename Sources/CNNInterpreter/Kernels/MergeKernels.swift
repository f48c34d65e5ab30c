import CNNGraph

/// `add`: the element-wise sum of equally shaped inputs.
struct AddKernel: LayerKernel {
    let elementsPerSample: Int

    func run(_ inputs: StepInputs, into output: UnsafeMutablePointer<Float>, batch: Int, scratch: UnsafeMutablePointer<Float>) {
        let count = batch * elementsPerSample
        output.update(from: inputs[0], count: count)
        for index in 1..<inputs.count {
            let input = inputs[index]
            for i in 0..<count { output[i] += input[i] }
        }
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
            let input = inputs[index]
            for pixel in 0..<batch * pixels {
                (output + pixel * total + offset).update(from: input + pixel * width, count: width)
            }
            offset += width
        }
    }
}
