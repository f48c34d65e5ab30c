import Testing

@testable import CNNKernels

/// `convolution` by Winograd's transform (`usesWinograd`, `packWinograd`) against a direct sum in
/// double precision: `valid` and `same` padding, odd outputs whose last tiles are cut, a batch
/// that ends inside a chunk of tiles, chunks across images, a residual and each clamp.
@Suite struct WinogradTests {
    struct Shape: CustomTestStringConvertible, Sendable {
        var batch: Int, height: Int, width: Int, channels: Int, filters: Int, pad: Int
        var residual = false
        var clamp = Clamp.none
        var outputHeight: Int { height + 2 * pad - 2 }
        var outputWidth: Int { width + 2 * pad - 2 }
        var testDescription: String {
            "\(batch)×\(height)×\(width)×\(channels) → \(filters), pad \(pad)\(residual ? ", residual" : ""), \(clamp)"
        }
    }

    static let shapes = [
        Shape(batch: 2, height: 13, width: 13, channels: 32, filters: 64, pad: 0, clamp: .relu),
        Shape(batch: 1, height: 8, width: 8, channels: 16, filters: 48, pad: 1, residual: true),
        Shape(batch: 3, height: 9, width: 12, channels: 16, filters: 16, pad: 1, clamp: .relu6),
        Shape(batch: 5, height: 14, width: 14, channels: 48, filters: 32, pad: 1, residual: true, clamp: .leakyRelu),
        Shape(batch: 1, height: 30, width: 29, channels: 16, filters: 32, pad: 0),
    ]

    @Test(arguments: shapes)
    func matchesADirectSum(shape s: Shape) {
        #expect(
            usesWinograd(
                channels: s.channels, filters: s.filters, outputHeight: s.outputHeight, outputWidth: s.outputWidth,
                kernel: (3, 3), strides: (1, 1), dilation: (1, 1)))
        let input = ThreadSplitTests.values(s.batch * s.height * s.width * s.channels, seed: 31)
        let kernel = ThreadSplitTests.values(9 * s.channels * s.filters, seed: 32)
        let bias = ThreadSplitTests.values((s.filters + 31) / 32 * 32, seed: 33)
        let outputs = s.batch * s.outputHeight * s.outputWidth * s.filters
        let residual = s.residual ? ThreadSplitTests.values(outputs, seed: 34) : nil
        let weights = FloatStore(count: winogradPackedCount(channels: s.channels, filters: s.filters))
        packWinograd(kernel, channels: s.channels, filters: s.filters, into: weights.base)
        let scratch = FloatStore(count: scratchStride(winogradScratchCount(channels: s.channels, filters: s.filters)))
        var output = [Float](repeating: .nan, count: outputs)
        output.withUnsafeMutableBufferPointer { output in
            residual.withUnsafeBufferPointerIfPresent { residual in
                convolution(
                    s.batch, input, output.baseAddress!, height: s.height, width: s.width, channels: s.channels,
                    outputHeight: s.outputHeight, outputWidth: s.outputWidth, filters: s.filters, kernel: (3, 3),
                    strides: (1, 1), dilation: (1, 1), padding: (s.pad, s.pad), weights: weights.base, bias: bias,
                    clamp: s.clamp, residual: residual, scratch: Scratch(scratch.base, stride: 0, parts: 1))
            }
        }
        var worst = 0.0
        for n in 0..<s.batch {
            for y in 0..<s.outputHeight {
                for x in 0..<s.outputWidth {
                    let pixel = (n * s.outputHeight + y) * s.outputWidth + x
                    for f in 0..<s.filters {
                        var sum = Double(bias[f]) + Double(residual?[pixel * s.filters + f] ?? 0)
                        for ky in 0..<3 {
                            for kx in 0..<3 {
                                let (iy, ix) = (y + ky - s.pad, x + kx - s.pad)
                                guard (0..<s.height).contains(iy), (0..<s.width).contains(ix) else { continue }
                                for c in 0..<s.channels {
                                    let value = input[((n * s.height + iy) * s.width + ix) * s.channels + c]
                                    sum +=
                                        Double(value) * Double(kernel[((ky * 3 + kx) * s.channels + c) * s.filters + f])
                                }
                            }
                        }
                        let value = Float(sum)
                        let expected = Double(min(max(value, value * s.clamp.slope), s.clamp.high))
                        worst = max(worst, abs(Double(output[pixel * s.filters + f]) - expected))
                    }
                }
            }
        }
        #expect(worst < 1e-4, "largest difference \(worst)")
    }
}

extension Optional where Wrapped == [Float] {
    /// The array's elements' address, or nil, for the closure's duration.
    fileprivate func withUnsafeBufferPointerIfPresent<R>(_ body: (UnsafePointer<Float>?) -> R) -> R {
        guard let self else { return body(nil) }
        return self.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
