import CNNGraph

/// `zero_padding2d`: each input row copied into the middle of a zeroed output row.
struct ZeroPadding2DKernel: LayerKernel {
    let padding: Padding2D
    let input: TensorShape
    let output: TensorShape

    func run(_ inputs: StepInputs, into output: UnsafeMutablePointer<Float>, batch: Int, scratch: UnsafeMutablePointer<Float>) {
        let channels = input.channels
        let inputRow = input.width * channels
        let outputRow = self.output.width * channels
        let outputImage = self.output.height * outputRow
        output.update(repeating: 0, count: batch * outputImage)
        for n in 0..<batch {
            for y in 0..<input.height {
                let source = inputs[0] + (n * input.height + y) * inputRow
                let destination = output + n * outputImage + (y + padding.top) * outputRow + padding.left * channels
                destination.update(from: source, count: inputRow)
            }
        }
    }
}
