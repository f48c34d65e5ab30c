import CNNFormats
import Foundation
import Testing
import TestSupport

/// separable_conv2d against its definition: a depthwise convolution, then a 1×1 convolution.
/// Channels that take the 3×3 depthwise kernel's own path and channels that do not, depth
/// multipliers, several bands of rows (at width 20 a band is 10 rows, at 12 it is 16), partial
/// panels.
@Suite struct SeparableReferenceTests {
    struct Case: CustomTestStringConvertible {
        var size: (height: Int, width: Int, channels: Int)
        var filters: Int
        var kernel: (Int, Int) = (3, 3)
        var multiplier = 1
        var strides: (Int, Int) = (1, 1)
        var dilation: (Int, Int) = (1, 1)
        var padding = "valid"
        var batch = 2
        var activation = "relu"

        var testDescription: String {
            "\(size) filters \(filters) kernel \(kernel) ×\(multiplier) strides \(strides) dilation \(dilation) "
                + "\(padding) batch \(batch) \(activation)"
        }
    }

    static let cases: [Case] = [
        Case(size: (7, 6, 3), filters: 5, padding: "same"),
        Case(size: (9, 9, 16), filters: 33, strides: (2, 2), padding: "same", batch: 3),
        Case(size: (25, 20, 8), filters: 4, padding: "same"),
        Case(size: (50, 40, 8), filters: 6, strides: (2, 2), padding: "same", batch: 1),
        Case(size: (11, 9, 2), filters: 5, multiplier: 2, strides: (2, 2), activation: "tanh"),
        Case(size: (10, 11, 4), filters: 7, kernel: (2, 3), multiplier: 3, dilation: (2, 2), padding: "same", batch: 1),
        Case(size: (30, 12, 5), filters: 40, kernel: (3, 1), strides: (3, 2), padding: "same"),
        // Whole 16-lane vectors of channels in several bands, for each depthwise path.
        Case(size: (25, 20, 16), filters: 4, padding: "same", batch: 1),
        Case(size: (30, 12, 32), filters: 9, kernel: (5, 5), padding: "same", batch: 1),
    ]

    @Test(arguments: cases)
    func separableMatchesDefinition(_ c: Case) throws {
        let (h, w, channels) = c.size
        let width = channels * c.multiplier
        let input = Tensor(shape: [c.batch, h, w, channels], scalars: randomScalars(c.batch * h * w * channels, seed: 11))
        let depthwiseShape = [c.kernel.0, c.kernel.1, channels, c.multiplier]
        let depthwise = Tensor(shape: depthwiseShape, scalars: randomScalars(depthwiseShape.reduce(1, *), seed: 12))
        let pointwise = Tensor(shape: [1, 1, width, c.filters], scalars: randomScalars(width * c.filters, seed: 13))
        let bias = Tensor(shape: [c.filters], scalars: randomScalars(c.filters, seed: 14))
        let layer = """
              - {type: separable_conv2d, filters: \(c.filters), kernel_size: [\(c.kernel.0), \(c.kernel.1)], \
            depth_multiplier: \(c.multiplier), strides: [\(c.strides.0), \(c.strides.1)], \
            dilation_rate: [\(c.dilation.0), \(c.dilation.1)], padding: \(c.padding), activation: \(c.activation)}

            """
        let output = try run(
            input: input, layer,
            weights: [
                "separable_conv2d.depthwise_kernel": depthwise, "separable_conv2d.pointwise_kernel": pointwise,
                "separable_conv2d.bias": bias,
            ])

        func outputSize(_ size: Int, _ k: Int, _ s: Int, _ d: Int) -> (Int, Int) {
            let extent = d * (k - 1) + 1
            if c.padding == "valid" { return ((size - extent) / s + 1, 0) }
            let out = (size + s - 1) / s
            return (out, max((out - 1) * s + extent - size, 0) / 2)
        }
        let (oh, top) = outputSize(h, c.kernel.0, c.strides.0, c.dilation.0)
        let (ow, left) = outputSize(w, c.kernel.1, c.strides.1, c.dilation.1)
        var expected = Tensor(zeros: [c.batch, oh, ow, c.filters])
        for n in 0..<c.batch {
            for y in 0..<oh {
                for x in 0..<ow {
                    // mid[j] = Σ in[…, j / mult] · depthwise[ky, kx, j / mult, j % mult]
                    var mid = [Float](repeating: 0, count: width)
                    for j in 0..<width {
                        for ky in 0..<c.kernel.0 {
                            for kx in 0..<c.kernel.1 {
                                let iy = y * c.strides.0 - top + ky * c.dilation.0
                                let ix = x * c.strides.1 - left + kx * c.dilation.1
                                guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                                mid[j] += input.scalars[((n * h + iy) * w + ix) * channels + j / c.multiplier]
                                    * depthwise.scalars[(ky * c.kernel.1 + kx) * width + j]
                            }
                        }
                    }
                    for f in 0..<c.filters {
                        var sum = bias.scalars[f]
                        for j in 0..<width { sum += mid[j] * pointwise.scalars[j * c.filters + f] }
                        expected.scalars[((n * oh + y) * ow + x) * c.filters + f] = c.activation == "relu" ? max(sum, 0) : tanh(sum)
                    }
                }
            }
        }
        #expect(tensorMismatch(output, expected) == nil)
    }
}

/// conv2d_transpose against Keras's own formulation (jax backend): the input dilated by the
/// strides, padded by Keras's `left` and `right`, convolved at stride 1 with the flipped kernel.
/// Strides 1, 2 and 3, kernels smaller than the stride (output pixels only the bias reaches),
/// several blocks of input pixels, partial panels, a clamp and an activation pass.
@Suite struct TransposeReferenceTests {
    @Test(arguments: [
        ([5, 5, 2], 3, [3, 3], [1, 1], "valid", "relu"), ([7, 7, 3], 2, [4, 4], [2, 2], "valid", "relu"),
        ([4, 5, 3], 5, [2, 2], [3, 3], "valid", "relu"), ([3, 3, 4], 2, [1, 1], [2, 2], "valid", "relu"),
        ([4, 3, 3], 4, [3, 3], [2, 2], "same", "relu"), ([5, 4, 2], 3, [5, 5], [3, 3], "same", "relu"),
        ([6, 5, 4], 3, [4, 4], [3, 3], "same", "relu"), ([3, 4, 2], 1, [5, 2], [3, 1], "same", "relu"),
        ([9, 8, 5], 37, [3, 3], [2, 2], "same", "relu"), ([6, 6, 20], 16, [3, 3], [1, 1], "same", "tanh"),
        ([5, 6, 3], 7, [3, 4], [3, 2], "valid", "tanh"),
    ])
    func transposeMatchesDefinition(
        size: [Int], filters: Int, kernel: [Int], strides: [Int], padding: String, activation: String
    ) throws {
        let (h, w, channels, batch) = (size[0], size[1], size[2], 2)
        let input = Tensor(shape: [batch, h, w, channels], scalars: randomScalars(batch * h * w * channels, seed: 21))
        let kernelShape = [kernel[0], kernel[1], filters, channels]
        let weights = Tensor(shape: kernelShape, scalars: randomScalars(kernelShape.reduce(1, *), seed: 22))
        let bias = Tensor(shape: [filters], scalars: randomScalars(filters, seed: 23))
        let output = try run(
            input: input,
            "  - {type: conv2d_transpose, filters: \(filters), kernel_size: \(kernel), strides: \(strides), "
                + "padding: \(padding), activation: \(activation)}\n",
            weights: ["conv2d_transpose.kernel": weights, "conv2d_transpose.bias": bias])

        /// Keras's padding of the dilated input on one axis: (left, right).
        func pads(_ k: Int, _ s: Int) -> (Int, Int) {
            if padding == "valid" { return (k - 1, k - 1 + max(k, s) - k) }
            let length = s + k - 2
            let left = min(length / 2 + length % 2, k - 1)
            return (left, length - left)
        }
        let (top, bottom) = pads(kernel[0], strides[0])
        let (left, right) = pads(kernel[1], strides[1])
        let dh = (h - 1) * strides[0] + 1 + top + bottom
        let dw = (w - 1) * strides[1] + 1 + left + right
        let (oh, ow) = (dh - kernel[0] + 1, dw - kernel[1] + 1)
        var expected = Tensor(zeros: [batch, oh, ow, filters])
        for n in 0..<batch {
            // The dilated, padded input.
            var dilated = [Float](repeating: 0, count: dh * dw * channels)
            for iy in 0..<h {
                for ix in 0..<w {
                    for ch in 0..<channels {
                        dilated[((top + iy * strides[0]) * dw + left + ix * strides[1]) * channels + ch] =
                            input.scalars[((n * h + iy) * w + ix) * channels + ch]
                    }
                }
            }
            for y in 0..<oh {
                for x in 0..<ow {
                    for f in 0..<filters {
                        var sum = bias.scalars[f]
                        for j in 0..<kernel[0] {
                            for i in 0..<kernel[1] {
                                let (ky, kx) = (kernel[0] - 1 - j, kernel[1] - 1 - i)
                                for ch in 0..<channels {
                                    sum += dilated[((y + j) * dw + x + i) * channels + ch]
                                        * weights.scalars[((ky * kernel[1] + kx) * filters + f) * channels + ch]
                                }
                            }
                        }
                        expected.scalars[((n * oh + y) * ow + x) * filters + f] = activation == "relu" ? max(sum, 0) : tanh(sum)
                    }
                }
            }
        }
        #expect(tensorMismatch(output, expected) == nil)
    }
}
