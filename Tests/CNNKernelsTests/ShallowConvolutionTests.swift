import Foundation
import Testing

@testable import CNNKernels

/// Convolutions of a few input channels run directly (`shallowConvolution`), and must give bitwise
/// what the blocked matrix product gives, whatever the padding, stride, row length and filter count,
/// on any number of threads, and the definition's value.
@Suite struct ShallowConvolutionTests {
    struct Shape: CustomStringConvertible, Sendable {
        var height, width, channels, filters: Int
        var kernel: (Int, Int)
        var strides: (Int, Int) = (1, 1)
        var same = false

        var outputHeight: Int { same ? (height + strides.0 - 1) / strides.0 : (height - kernel.0) / strides.0 + 1 }
        var outputWidth: Int { same ? (width + strides.1 - 1) / strides.1 : (width - kernel.1) / strides.1 + 1 }
        /// Keras's `same` padding: the smaller half before.
        var padding: (top: Int, left: Int) {
            guard same else { return (0, 0) }
            let rows = max((outputHeight - 1) * strides.0 + kernel.0 - height, 0)
            let columns = max((outputWidth - 1) * strides.1 + kernel.1 - width, 0)
            return (rows / 2, columns / 2)
        }
        var depth: Int { kernel.0 * kernel.1 * channels }
        var description: String {
            "\(height)×\(width)×\(channels) → \(filters), \(kernel), strides \(strides)\(same ? ", same" : "")"
        }
    }

    static let shapes: [Shape] = [
        // MNIST's and CIFAR VGG's first layers.
        Shape(height: 28, width: 28, channels: 1, filters: 32, kernel: (3, 3)),
        Shape(height: 32, width: 32, channels: 3, filters: 32, kernel: (3, 3), same: true),
        // MobileNet's: stride 2, padding only after.
        Shape(height: 17, width: 17, channels: 3, filters: 40, kernel: (3, 3), strides: (2, 2), same: true),
        // Filters fewer than a panel, and past whole panels; rows of exactly a tile and of a tile and
        // a pixel; a wide kernel; uneven strides.
        Shape(height: 9, width: 6, channels: 2, filters: 10, kernel: (3, 1)),
        Shape(height: 8, width: 13, channels: 1, filters: 70, kernel: (5, 5), same: true),
        Shape(height: 12, width: 20, channels: 4, filters: 16, kernel: (2, 4), strides: (1, 3), same: true),
        Shape(height: 7, width: 11, channels: 32, filters: 33, kernel: (1, 1), strides: (2, 1)),
    ]

    /// `convolution` of `batch` images of `shape` on `parts` parts, the bits of the output.
    static func convolve(
        _ shape: Shape, batch: Int, parts: Int, input: [Float], weights: FloatStore, bias: FloatStore, clamp: Clamp,
        blocked: Bool = false
    ) -> [UInt32] {
        let s = shape
        return input.withUnsafeBufferPointer { input in
            let input = input.baseAddress!
            return ThreadSplitTests.run(
                parts: parts, count: batch * s.outputHeight * s.outputWidth * s.filters,
                scratch: scratchCount(depth: s.depth)
            ) { output, scratch in
                if blocked {
                    let patches = Patches(
                        input, height: s.height, width: s.width, channels: s.channels,
                        outputHeight: s.outputHeight, outputWidth: s.outputWidth, kernel: s.kernel,
                        strides: s.strides, dilation: (1, 1), padding: s.padding)
                    multiply(
                        rows: batch * s.outputHeight * s.outputWidth, depth: s.depth, columns: s.filters,
                        source: patches,
                        weights: weights.base, bias: bias.base, clamp: clamp, output: output, scratch: scratch)
                } else {
                    convolution(
                        batch, input, output, height: s.height, width: s.width, channels: s.channels,
                        outputHeight: s.outputHeight, outputWidth: s.outputWidth, filters: s.filters, kernel: s.kernel,
                        strides: s.strides, dilation: (1, 1), padding: s.padding, weights: weights.base,
                        bias: bias.base,
                        clamp: clamp, scratch: scratch)
                }
            }
        }
    }

    @Test(arguments: shapes)
    func matchesTheBlockedProductBitForBit(shape: Shape) {
        #expect(
            isShallow(
                width: shape.width, channels: shape.channels, outputWidth: shape.outputWidth, kernel: shape.kernel,
                strides: shape.strides, dilation: (1, 1)), "\(shape) runs directly")
        let batch = 3
        let input = ThreadSplitTests.values(batch * shape.height * shape.width * shape.channels, seed: 21)
        let (weights, bias) = ThreadSplitTests.packed(depth: shape.depth, columns: shape.filters, seed: 22)
        for clamp in [Clamp.none, .relu, .relu6, .leakyRelu] {
            let blocked = Self.convolve(
                shape, batch: batch, parts: 1, input: input, weights: weights, bias: bias, clamp: clamp, blocked: true)
            #expect(!blocked.contains { Float(bitPattern: $0).isNaN }, "\(shape): every output written")
            for parts in [1, 2, 3] {
                let direct = Self.convolve(
                    shape, batch: batch, parts: parts, input: input, weights: weights, bias: bias, clamp: clamp)
                let differing = zip(direct, blocked).filter { $0 != $1 }.count
                #expect(differing == 0, "\(shape), \(clamp), \(parts) parts: \(differing) outputs differ")
            }
        }
    }

    /// The definition, in doubles: Σ x·w over the window inside the image, plus the bias, clamped.
    @Test func matchesTheDefinition() {
        let shape = Self.shapes[2]
        let s = shape
        let input = ThreadSplitTests.values(s.height * s.width * s.channels, seed: 23)
        let kernel = ThreadSplitTests.values(s.depth * s.filters, seed: 24)
        let (weights, bias) = ThreadSplitTests.packed(depth: s.depth, columns: s.filters, seed: 24)
        let output = Self.convolve(s, batch: 1, parts: 1, input: input, weights: weights, bias: bias, clamp: .relu6)
        for y in 0..<s.outputHeight {
            for x in 0..<s.outputWidth {
                for f in 0..<s.filters {
                    var sum = Double(bias.base[f])
                    for ky in 0..<s.kernel.0 {
                        for kx in 0..<s.kernel.1 {
                            let (iy, ix) = (y * s.strides.0 - s.padding.top + ky, x * s.strides.1 - s.padding.left + kx)
                            guard iy >= 0, iy < s.height, ix >= 0, ix < s.width else { continue }
                            for c in 0..<s.channels {
                                sum +=
                                    Double(input[(iy * s.width + ix) * s.channels + c])
                                    * Double(kernel[((ky * s.kernel.1 + kx) * s.channels + c) * s.filters + f])
                            }
                        }
                    }
                    let expected = Float(min(max(sum, 0), 6))
                    let actual = Float(bitPattern: output[(y * s.outputWidth + x) * s.filters + f])
                    #expect(abs(actual - expected) <= 1e-5, "(\(y), \(x), \(f))")
                }
            }
        }
    }

    /// Rows shorter than a tile, deep windows and dilation stay with the blocked product.
    @Test func onlyShortWindowsOfRowsOfATileOrMore() {
        #expect(!isShallow(width: 5, channels: 1, outputWidth: 5, kernel: (3, 3), strides: (1, 1), dilation: (1, 1)))
        #expect(!isShallow(width: 32, channels: 4, outputWidth: 32, kernel: (3, 3), strides: (1, 1), dilation: (1, 1)))
        #expect(!isShallow(width: 32, channels: 1, outputWidth: 28, kernel: (3, 3), strides: (1, 1), dilation: (2, 2)))
        // A 1×1 window over a wide row: its band would not fit the product's scratch.
        #expect(
            !isShallow(width: 4096, channels: 1, outputWidth: 4096, kernel: (1, 1), strides: (1, 1), dilation: (1, 1)))
        #expect(isShallow(width: 224, channels: 3, outputWidth: 112, kernel: (3, 3), strides: (2, 2), dilation: (1, 1)))
    }
}
