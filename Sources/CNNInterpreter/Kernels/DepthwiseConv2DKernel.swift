import CNNGraph

/// `depthwise_conv2d`, directly: output channel j = c·mult + m sums input channel c = j / mult
/// over the window with kernel [kh, kw, in, mult] read flat as [kh, kw, in·mult]. Channels are
/// contiguous in NHWC, so the inner loop runs over a pixel's channels.
struct DepthwiseConv2DKernel: LayerKernel {
    let geometry: ConvGeometry
    let multiplier: Int
    let kernel: [Float]
    let bias: [Float]
    let activation: ActivationKernel?

    init(_ op: DepthwiseConv2D, input: TensorShape, output: TensorShape, kernel: [Float], bias: [Float]?) {
        geometry = ConvGeometry(window: op.window, input: input, output: output)
        multiplier = op.depthMultiplier
        self.kernel = kernel
        self.bias = bias ?? [Float](repeating: 0, count: output.channels)
        activation = op.activation == .linear ? nil : ActivationKernel(op.activation, shape: output)
    }

    func run(_ inputs: StepInputs, into output: UnsafeMutablePointer<Float>, batch: Int, scratch: UnsafeMutablePointer<Float>) {
        let g = geometry
        let width = g.channels * multiplier
        let image = g.inputHeight * g.inputWidth * g.channels
        kernel.withUnsafeBufferPointer { kernel in
            bias.withUnsafeBufferPointer { bias in
                for n in 0..<batch {
                    let input = inputs[0] + n * image
                    for y in 0..<g.outputHeight {
                        for x in 0..<g.outputWidth {
                            let row = output + ((n * g.outputHeight + y) * g.outputWidth + x) * width
                            row.update(from: bias.baseAddress!, count: width)
                            for ky in 0..<g.kernelHeight {
                                let iy = y * g.strideHeight - g.padTop + ky * g.dilationHeight
                                guard iy >= 0, iy < g.inputHeight else { continue }
                                for kx in 0..<g.kernelWidth {
                                    let ix = x * g.strideWidth - g.padLeft + kx * g.dilationWidth
                                    guard ix >= 0, ix < g.inputWidth else { continue }
                                    let source = input + (iy * g.inputWidth + ix) * g.channels
                                    let weights = kernel.baseAddress! + (ky * g.kernelWidth + kx) * width
                                    if multiplier == 1 {
                                        for c in 0..<width { row[c] += source[c] * weights[c] }
                                    } else {
                                        for j in 0..<width { row[j] += source[j / multiplier] * weights[j] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        activation?.run(output, count: batch * g.outputHeight * g.outputWidth * width)
    }
}
