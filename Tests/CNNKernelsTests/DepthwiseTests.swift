import Testing

@testable import CNNKernels

/// `depthwise` against a direct sum in double precision, on the shapes that take each of its paths:
/// the 3×3 kernel's four-window groups (stride 1, where the windows share columns, and stride 2),
/// the windows left at the end of a row and those the padding cuts, the kernel for other windows,
/// channels in several runs, and the general one (a channel multiplier, channels that are not whole vectors, dilation).
@Suite struct DepthwiseTests {
    struct Shape: CustomTestStringConvertible, Sendable {
        var height: Int, width: Int, channels: Int, multiplier: Int
        var kernel: Int, stride: Int, dilation: Int, pad: Int
        var testDescription: String {
            "\(height)x\(width)x\(channels)·\(multiplier) k\(kernel) s\(stride) d\(dilation) pad \(pad)"
        }
    }

    static let shapes = [
        Shape(height: 9, width: 13, channels: 32, multiplier: 1, kernel: 3, stride: 1, dilation: 1, pad: 1),
        Shape(height: 7, width: 7, channels: 64, multiplier: 1, kernel: 3, stride: 1, dilation: 1, pad: 0),
        Shape(height: 11, width: 14, channels: 48, multiplier: 1, kernel: 3, stride: 2, dilation: 1, pad: 1),
        Shape(height: 10, width: 17, channels: 16, multiplier: 1, kernel: 3, stride: 2, dilation: 1, pad: 0),
        Shape(height: 3, width: 3, channels: 16, multiplier: 1, kernel: 3, stride: 1, dilation: 1, pad: 2),
        Shape(height: 9, width: 12, channels: 32, multiplier: 1, kernel: 5, stride: 1, dilation: 1, pad: 2),
        Shape(height: 8, width: 8, channels: 32, multiplier: 1, kernel: 5, stride: 2, dilation: 1, pad: 1),
        // More channels than one run whose weights stay in L1 (896 or 904 of 3×3, 320 of 5×5).
        Shape(height: 6, width: 9, channels: 912, multiplier: 1, kernel: 3, stride: 1, dilation: 1, pad: 1),
        Shape(height: 7, width: 10, channels: 336, multiplier: 1, kernel: 5, stride: 1, dilation: 1, pad: 2),
        Shape(height: 8, width: 9, channels: 5, multiplier: 1, kernel: 3, stride: 1, dilation: 1, pad: 1),
        Shape(height: 8, width: 9, channels: 16, multiplier: 2, kernel: 3, stride: 1, dilation: 1, pad: 1),
        Shape(height: 10, width: 10, channels: 16, multiplier: 1, kernel: 3, stride: 1, dilation: 2, pad: 2),
    ]

    @Test(arguments: shapes)
    func matchesADirectSum(shape: Shape) {
        let batch = 2
        let span = (shape.kernel - 1) * shape.dilation + 1
        let outputHeight = (shape.height + 2 * shape.pad - span) / shape.stride + 1
        let outputWidth = (shape.width + 2 * shape.pad - span) / shape.stride + 1
        let outputs = shape.channels * shape.multiplier
        let input = ThreadSplitTests.values(batch * shape.height * shape.width * shape.channels, seed: 21)
        let weights = ThreadSplitTests.values(shape.kernel * shape.kernel * outputs, seed: 22)
        let bias = ThreadSplitTests.values(outputs + 32, seed: 23)
        var output = [Float](repeating: .nan, count: batch * outputHeight * outputWidth * outputs)
        output.withUnsafeMutableBufferPointer {
            depthwise(
                batch, input, $0.baseAddress!, height: shape.height, width: shape.width, channels: shape.channels,
                multiplier: shape.multiplier, outputHeight: outputHeight, outputWidth: outputWidth,
                kernel: (shape.kernel, shape.kernel), strides: (shape.stride, shape.stride),
                dilation: (shape.dilation, shape.dilation), padding: (shape.pad, shape.pad), weights: weights,
                bias: bias, clamp: .none)
        }
        var worst = 0.0
        for n in 0..<batch {
            for y in 0..<outputHeight {
                for x in 0..<outputWidth {
                    for j in 0..<outputs {
                        var sum = Double(bias[j])
                        for ky in 0..<shape.kernel {
                            for kx in 0..<shape.kernel {
                                let iy = y * shape.stride - shape.pad + ky * shape.dilation
                                let ix = x * shape.stride - shape.pad + kx * shape.dilation
                                guard (0..<shape.height).contains(iy), (0..<shape.width).contains(ix) else { continue }
                                let value = input[
                                    ((n * shape.height + iy) * shape.width + ix) * shape.channels
                                        + j / shape.multiplier]
                                sum += Double(value) * Double(weights[(ky * shape.kernel + kx) * outputs + j])
                            }
                        }
                        let actual = output[((n * outputHeight + y) * outputWidth + x) * outputs + j]
                        worst = max(worst, abs(Double(actual) - sum))
                    }
                }
            }
        }
        #expect(worst < 1e-5, "largest difference \(worst)")
    }
}
