import CNNGraph

/// `depthwise_conv2d`, directly: output channel j = c·mult + m sums input channel c = j / mult
/// over the window with kernel [kh, kw, in, mult] read flat as [kh, kw, in·mult]. Channels are
/// contiguous in NHWC, so the inner loop runs over a pixel's channels.
struct DepthwiseConv2DKernel: LayerKernel {
    let geometry: ConvGeometry
    let multiplier: Int
    let kernel: [Float]
    /// Padded to whole vectors, zeros when the layer has no bias.
    let bias: FloatBuffer
    let clamp: Epilogue.Clamp
    let activation: ActivationKernel?

    init(_ op: DepthwiseConv2D, input: TensorShape, output: TensorShape, kernel: [Float], bias: [Float]?) {
        geometry = ConvGeometry(window: op.window, input: input, output: output)
        multiplier = op.depthMultiplier
        self.kernel = kernel
        self.bias = PackedWeights.paddedBias(bias ?? [Float](repeating: 0, count: output.channels))
        (clamp, activation) = ActivationKernel.split(op.activation, output: output)
    }

    func run(_ inputs: StepInputs, into output: UnsafeMutablePointer<Float>, batch: Int, scratch: UnsafeMutablePointer<Float>) {
        let g = geometry
        let width = g.channels * multiplier
        let image = g.inputHeight * g.inputWidth * g.channels
        let epilogue = Epilogue(bias: UnsafePointer(bias.base), clamp: clamp)
        kernel.withUnsafeBufferPointer { kernel in
            for n in 0..<batch {
                let input = inputs[0] + n * image
                for y in 0..<g.outputHeight {
                    let top = y * g.strideHeight - g.padTop
                    for x in 0..<g.outputWidth {
                        let left = x * g.strideWidth - g.padLeft
                        let row = output + ((n * g.outputHeight + y) * g.outputWidth + x) * width
                        var c = 0
                        while c < width {
                            var sums = SIMD16<Float>()
                            let lanes = min(16, width - c)
                            for ky in 0..<g.kernelHeight {
                                let iy = top + ky * g.dilationHeight
                                guard iy >= 0, iy < g.inputHeight else { continue }
                                for kx in 0..<g.kernelWidth {
                                    let ix = left + kx * g.dilationWidth
                                    guard ix >= 0, ix < g.inputWidth else { continue }
                                    let source = input + (iy * g.inputWidth + ix) * g.channels
                                    let weights = kernel.baseAddress! + (ky * g.kernelWidth + kx) * width + c
                                    if multiplier == 1 && lanes == 16 {
                                        multiplyAdd(&sums, load(source + c), load(weights))
                                    } else {
                                        for j in 0..<lanes { sums[j] += source[(c + j) / multiplier] * weights[j] }
                                    }
                                }
                            }
                            let result = epilogue.apply(sums, biasOffset: c)
                            if lanes == 16 {
                                UnsafeMutableRawPointer(row + c).storeBytes(of: result, as: SIMD16<Float>.self)
                            } else {
                                for j in 0..<lanes { row[c + j] = result[j] }
                            }
                            c += 16
                        }
                    }
                }
            }
        }
        activation?.run(output, count: batch * g.outputHeight * g.outputWidth * width)
    }

    @inline(__always)
    private func load(_ pointer: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
    }
}
