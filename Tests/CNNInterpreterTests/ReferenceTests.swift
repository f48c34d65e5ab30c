import CNNFormats
import Testing
import TestSupport

/// The blocked kernels against the convolution's definition, written as plainly as possible, over
/// shapes that leave partial register tiles, partial panels and several row blocks.
@Suite struct ReferenceTests {
    struct Case: CustomTestStringConvertible {
        var size: (height: Int, width: Int, channels: Int)
        var filters: Int
        var kernel: (Int, Int)
        var strides: (Int, Int) = (1, 1)
        var dilation: (Int, Int) = (1, 1)
        var padding = "valid"
        var batch = 2

        var testDescription: String {
            "\(size) filters \(filters) kernel \(kernel) strides \(strides) dilation \(dilation) \(padding) batch \(batch)"
        }
    }

    static let cases: [Case] = [
        Case(size: (7, 5, 3), filters: 33, kernel: (3, 3), padding: "same"),
        Case(size: (9, 9, 2), filters: 5, kernel: (3, 2), strides: (3, 2), padding: "same", batch: 3),
        Case(size: (10, 11, 4), filters: 70, kernel: (2, 3), dilation: (2, 2), batch: 1),
        Case(size: (13, 13, 16), filters: 32, kernel: (1, 1), batch: 5),
        Case(size: (6, 6, 40), filters: 17, kernel: (5, 5), padding: "same", batch: 2),
        Case(size: (4, 4, 1), filters: 1, kernel: (4, 4), strides: (2, 2), padding: "same", batch: 1),
        // Deep products: long runs per kernel row, in place and packed, and 1,100 channels in one
        // run; a tile's sums stay in registers across all of them.
        Case(size: (7, 6, 70), filters: 37, kernel: (3, 3), padding: "same", batch: 2),
        Case(size: (5, 5, 200), filters: 40, kernel: (3, 3), batch: 2),
        Case(size: (3, 4, 1100), filters: 20, kernel: (1, 1), batch: 3),
    ]

    @Test(arguments: cases)
    func convolutionMatchesDefinition(_ c: Case) throws {
        let input = Tensor(
            shape: [c.batch, c.size.height, c.size.width, c.size.channels],
            scalars: randomScalars(c.batch * c.size.height * c.size.width * c.size.channels, seed: 1))
        let kernelShape = [c.kernel.0, c.kernel.1, c.size.channels, c.filters]
        let kernel = Tensor(shape: kernelShape, scalars: randomScalars(kernelShape.reduce(1, *), seed: 2))
        let bias = Tensor(shape: [c.filters], scalars: randomScalars(c.filters, seed: 3))
        let layer = """
              - {type: conv2d, filters: \(c.filters), kernel_size: [\(c.kernel.0), \(c.kernel.1)], \
            strides: [\(c.strides.0), \(c.strides.1)], dilation_rate: [\(c.dilation.0), \(c.dilation.1)], \
            padding: \(c.padding), activation: relu}

            """
        let output = try run(input: input, layer, weights: ["conv2d.kernel": kernel, "conv2d.bias": bias])
        #expect(tensorMismatch(output, reference(c, input: input, kernel: kernel, bias: bias)) == nil)
    }

    /// out[n, y, x, f] = relu(bias[f] + Σ in[n, y·s − pad + ky·d, x·s − pad + kx·d, c] · k[ky, kx, c, f]).
    func reference(_ c: Case, input: Tensor, kernel: Tensor, bias: Tensor) -> Tensor {
        func outputSize(_ size: Int, _ k: Int, _ s: Int, _ d: Int) -> (Int, Int) {
            let extent = d * (k - 1) + 1
            if c.padding == "valid" { return ((size - extent) / s + 1, 0) }
            let out = (size + s - 1) / s
            return (out, max((out - 1) * s + extent - size, 0) / 2)
        }
        let (height, top) = outputSize(c.size.height, c.kernel.0, c.strides.0, c.dilation.0)
        let (width, left) = outputSize(c.size.width, c.kernel.1, c.strides.1, c.dilation.1)
        var output = Tensor(zeros: [c.batch, height, width, c.filters])
        let (h, w, channels) = c.size
        for n in 0..<c.batch {
            for y in 0..<height {
                for x in 0..<width {
                    for f in 0..<c.filters {
                        var sum = bias.scalars[f]
                        for ky in 0..<c.kernel.0 {
                            for kx in 0..<c.kernel.1 {
                                let iy = y * c.strides.0 - top + ky * c.dilation.0
                                let ix = x * c.strides.1 - left + kx * c.dilation.1
                                guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                                for ch in 0..<channels {
                                    sum += input.scalars[((n * h + iy) * w + ix) * channels + ch]
                                        * kernel.scalars[((ky * c.kernel.1 + kx) * channels + ch) * c.filters + f]
                                }
                            }
                        }
                        output.scalars[((n * height + y) * width + x) * c.filters + f] = max(sum, 0)
                    }
                }
            }
        }
        return output
    }
}

/// Depthwise convolution against its definition: a full vector of channels plus a tail, with and
/// without a depth multiplier; and whole vectors of channels, which take the 3×3 kernel's own path.
@Suite struct DepthwiseReferenceTests {
    @Test(arguments: [
        (1, 1, "same", 20), (3, 2, "same", 20), (1, 2, "valid", 20), (2, 1, "valid", 20),
        (1, 1, "same", 32), (1, 2, "same", 32), (1, 2, "valid", 48), (1, 3, "same", 16),
    ])
    func depthwiseMatchesDefinition(multiplier: Int, stride: Int, padding: String, channels: Int) throws {
        for k in [3, 5, 2] { try check(multiplier: multiplier, stride: stride, padding: padding, channels: channels, k: k) }
    }

    private func check(multiplier: Int, stride: Int, padding: String, channels: Int, k: Int) throws {
        let (h, w) = (7, 6)
        let input = Tensor(shape: [2, h, w, channels], scalars: randomScalars(2 * h * w * channels, seed: 4))
        let kernel = Tensor(shape: [k, k, channels, multiplier], scalars: randomScalars(k * k * channels * multiplier, seed: 5))
        let bias = Tensor(shape: [channels * multiplier], scalars: randomScalars(channels * multiplier, seed: 6))
        let output = try run(
            input: input,
            "  - {type: depthwise_conv2d, kernel_size: \(k), depth_multiplier: \(multiplier), strides: \(stride), "
                + "padding: \(padding), activation: relu6}\n",
            weights: ["depthwise_conv2d.kernel": kernel, "depthwise_conv2d.bias": bias])

        let same = padding == "same"
        let (oh, ow) = same ? ((h + stride - 1) / stride, (w + stride - 1) / stride) : ((h - k) / stride + 1, (w - k) / stride + 1)
        let top = same ? max((oh - 1) * stride + k - h, 0) / 2 : 0
        let left = same ? max((ow - 1) * stride + k - w, 0) / 2 : 0
        let width = channels * multiplier
        var expected = Tensor(zeros: [2, oh, ow, width])
        for n in 0..<2 {
            for y in 0..<oh {
                for x in 0..<ow {
                    for j in 0..<width {
                        var sum = bias.scalars[j]
                        for ky in 0..<k {
                            for kx in 0..<k {
                                let (iy, ix) = (y * stride - top + ky, x * stride - left + kx)
                                guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                                sum += input.scalars[((n * h + iy) * w + ix) * channels + j / multiplier]
                                    * kernel.scalars[(ky * k + kx) * width + j]
                            }
                        }
                        expected.scalars[((n * oh + y) * ow + x) * width + j] = min(max(sum, 0), 6)
                    }
                }
            }
        }
        #expect(tensorMismatch(output, expected) == nil)
    }
}

/// Pooling against its definition: whole vectors of channels and a tail, max and average, windows
/// cut by `same` padding (an average divides by the cells inside).
@Suite struct PoolReferenceTests {
    @Test(arguments: [
        ("max_pool2d", 2, 2, "valid", 16), ("avg_pool2d", 3, 2, "same", 16), ("max_pool2d", 3, 3, "same", 20),
        ("avg_pool2d", 2, 1, "valid", 24), ("max_pool2d", 3, 1, "same", 8),
    ])
    func poolMatchesDefinition(type: String, size: Int, stride: Int, padding: String, channels: Int) throws {
        let (h, w) = (7, 6)
        let input = Tensor(shape: [2, h, w, channels], scalars: randomScalars(2 * h * w * channels, seed: 7))
        let output = try run(
            input: input, "  - {type: \(type), pool_size: \(size), strides: \(stride), padding: \(padding)}\n")
        let same = padding == "same"
        let (oh, ow) = same ? ((h + stride - 1) / stride, (w + stride - 1) / stride) : ((h - size) / stride + 1, (w - size) / stride + 1)
        let top = same ? max((oh - 1) * stride + size - h, 0) / 2 : 0
        let left = same ? max((ow - 1) * stride + size - w, 0) / 2 : 0
        var expected = Tensor(zeros: [2, oh, ow, channels])
        for n in 0..<2 {
            for y in 0..<oh {
                for x in 0..<ow {
                    for c in 0..<channels {
                        var cells: [Float] = []
                        for iy in y * stride - top..<y * stride - top + size where iy >= 0 && iy < h {
                            for ix in x * stride - left..<x * stride - left + size where ix >= 0 && ix < w {
                                cells.append(input.scalars[((n * h + iy) * w + ix) * channels + c])
                            }
                        }
                        expected.scalars[((n * oh + y) * ow + x) * channels + c] =
                            type == "max_pool2d" ? cells.max()! : cells.reduce(0, +) / Float(cells.count)
                    }
                }
            }
        }
        #expect(tensorMismatch(output, expected) == nil)
    }
}
