import Foundation

// MARK: Depthwise convolution

/// `depthwise_conv2d`: output channel j = c·multiplier + m reads input channel c; sixteen output
/// channels at a time. One output per channel over whole vectors of channels, the common case, has
/// kernels of its own: one for the 3×3 window, one for any other.
///
/// Split across up to `parts` threads by output rows: a part runs its rows of an image as an image
/// of that many rows, the padding moved up by the rows before them, so its windows are the layer's.
@inline(never)
package func depthwise(
    _ batch: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
    height: Int, width: Int, channels: Int, multiplier: Int, outputHeight: Int, outputWidth: Int,
    kernel: (Int, Int), strides: (Int, Int), dilation: (Int, Int), padding: (top: Int, left: Int),
    weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, clamp: Clamp, parts: Int = 1
) {
    let rows = batch * outputHeight
    let rowSize = outputWidth * channels * multiplier
    let parts = partCount(
        available: parts, units: rows, work: rows * rowSize * kernel.0 * kernel.1, minimum: minimumProductWork / 4)
    guard parts > 1 else {
        depthwiseImages(
            batch, input, output, height: height, width: width, channels: channels, multiplier: multiplier,
            outputHeight: outputHeight, outputWidth: outputWidth, kernel: kernel, strides: strides, dilation: dilation,
            padding: padding, weights: weights, bias: bias, clamp: clamp)
        return
    }
    inParallel(parts) { part in
        let range = share(part, of: parts, rows)
        var row = range.lowerBound
        while row < range.upperBound {
            let (n, y) = row.quotientAndRemainder(dividingBy: outputHeight)
            let count = min(range.upperBound - row, outputHeight - y)
            depthwiseImages(
                1, input + n * height * width * channels, output + row * rowSize, height: height, width: width,
                channels: channels, multiplier: multiplier, outputHeight: count, outputWidth: outputWidth,
                kernel: kernel, strides: strides, dilation: dilation,
                padding: (padding.top - y * strides.0, padding.left),
                weights: weights, bias: bias, clamp: clamp)
            row += count
        }
    }
}

/// `depthwise` on the calling thread.
private func depthwiseImages(
    _ batch: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
    height: Int, width: Int, channels: Int, multiplier: Int, outputHeight: Int, outputWidth: Int,
    kernel: (Int, Int), strides: (Int, Int), dilation: (Int, Int), padding: (top: Int, left: Int),
    weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, clamp: Clamp
) {
    if multiplier == 1 && dilation == (1, 1) && channels % Lanes.scalarCount == 0 {
        // Channels a run at a time whose weights (32 KB) stay in the first-level cache while the
        // run sweeps the image: 1152 channels of 5×5 taps (EfficientNet's) are 115 KB.
        let run = max(Lanes.scalarCount, 8192 / (kernel.0 * kernel.1) / Lanes.scalarCount * Lanes.scalarCount)
        for first in stride(from: 0, to: channels, by: run) {
            let (span, input, output) = (min(run, channels - first), input + first, output + first)
            let (weights, bias) = (weights + first, bias + first)
            if kernel == (3, 3) {
                depthwise3x3(
                    batch, input, output, height: height, width: width, channels: channels, span: span,
                    outputHeight: outputHeight, outputWidth: outputWidth, strides: strides, padding: padding,
                    weights: weights, bias: bias, clamp: clamp)
            } else {
                depthwiseRows(
                    batch, input, output, height: height, width: width, channels: channels, span: span,
                    outputHeight: outputHeight, outputWidth: outputWidth, kernel: kernel, strides: strides,
                    padding: padding, weights: weights, bias: bias, clamp: clamp)
            }
        }
        return
    }
    let outputChannels = channels * multiplier
    for n in 0..<batch {
        let image = input + n * height * width * channels
        for y in 0..<outputHeight {
            for x in 0..<outputWidth {
                let row = output + ((n * outputHeight + y) * outputWidth + x) * outputChannels
                var c = 0
                while c < outputChannels {
                    let lanes = min(16, outputChannels - c)
                    var sums = Vector()
                    for ky in 0..<kernel.0 {
                        let iy = y * strides.0 - padding.top + ky * dilation.0
                        guard iy >= 0 && iy < height else { continue }
                        for kx in 0..<kernel.1 {
                            let ix = x * strides.1 - padding.left + kx * dilation.1
                            guard ix >= 0 && ix < width else { continue }
                            let source = image + (iy * width + ix) * channels
                            let taps = weights + (ky * kernel.1 + kx) * outputChannels + c
                            if multiplier == 1 && lanes == 16 {
                                multiplyAdd(&sums, load(source + c), load(taps))
                            } else {
                                for j in 0..<lanes { sums[j] += source[(c + j) / multiplier] * taps[j] }
                            }
                        }
                    }
                    let result = finish(sums, bias + c, clamp)
                    if lanes == 16 {
                        store(result, row + c)
                    } else {
                        for j in 0..<lanes { row[c + j] = result[j] }
                    }
                    c += 16
                }
            }
        }
    }
}

/// `depthwise_conv2d` with a 3×3 window, one output per channel: four windows inside the image
/// at a time, each tap's weights loaded once for the four, and every channel of those four pixels
/// before the next ones; a window the padding cuts, one at a time. The channels are the inner loop
/// so that every load runs along memory: sweeping a row's pixels one run of channels at a time
/// (as this kernel did) reads addresses a whole pixel apart, which for 512 channels (2 KB) fall in
/// two of the first-level cache's sets, and MobileNet v1's 14×14×512 layers ran at 27 GFLOP/s on
/// AVX2 against ONNX Runtime's 45. Each output's sum is the bias, then the nine taps in order.
@inline(never)
private func depthwise3x3(
    _ batch: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
    height: Int, width: Int, channels: Int, span: Int, outputHeight: Int, outputWidth: Int,
    strides: (Int, Int), padding: (top: Int, left: Int), weights: UnsafePointer<Float>, bias: UnsafePointer<Float>,
    clamp: Clamp
) {
    let (slope, high) = (clamp.slope, clamp.high)
    let (row, column) = (width * channels, channels)
    for n in 0..<batch {
        let image = input + n * height * row
        for y in 0..<outputHeight {
            let top = y * strides.0 - padding.top
            let rowInside = top >= 0 && top + 2 < height
            let target = output + (n * outputHeight + y) * outputWidth * channels
            var x = 0
            while x < outputWidth {
                let left = x * strides.1 - padding.left
                let q = target + x * channels
                if rowInside && left >= 0 && x + 4 <= outputWidth && left + 3 * strides.1 + 2 < width {
                    let p = image + top * row + left * column
                    // Stride 1 has a copy of its own, in which the windows share columns: each
                    // input vector is loaded once for the taps of all four that read it.
                    if strides.1 == 1 {
                        fourWindows(
                            p, q, step: column, row: row, channels: channels, span: span, kernel: (3, 3),
                            weights: weights,
                            bias: bias, slope: slope, high: high)
                    } else {
                        fourWindows(
                            p, q, step: strides.1 * column, row: row, channels: channels, span: span, kernel: (3, 3),
                            weights: weights, bias: bias, slope: slope, high: high)
                    }
                    x += 4
                    continue
                }
                // One window: the border, or the last few of a row.
                depthwisePixel(
                    image, q, height: height, width: width, channels: channels, span: span, kernel: (3, 3), top: top,
                    left: left,
                    weights: weights, bias: bias, slope: slope, high: high)
                x += 1
            }
        }
    }
}

/// Four windows of a depthwise convolution inside the image, `step` floats apart, starting at
/// `p`: every channel, each tap's weights loaded once for the four.
@inline(__always)
private func fourWindows(
    _ p: UnsafePointer<Float>, _ q: UnsafeMutablePointer<Float>, step: Int, row: Int, channels: Int, span: Int,
    kernel: (Int, Int), weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, slope: Float, high: Float
) {
    for c in stride(from: 0, to: span, by: Lanes.scalarCount) {
        let b = lanes(bias + c)
        var (s0, s1, s2, s3) = (b, b, b, b)
        for ky in 0..<kernel.0 {
            for kx in 0..<kernel.1 {
                let weight = lanes(weights + (ky * kernel.1 + kx) * channels + c)
                let source = p + ky * row + kx * channels + c
                add(&s0, lanes(source), weight)
                add(&s1, lanes(source + step), weight)
                add(&s2, lanes(source + 2 * step), weight)
                add(&s3, lanes(source + 3 * step), weight)
            }
        }
        storeLanes(clamped(s0, slope, high), q + c)
        storeLanes(clamped(s1, slope, high), q + channels + c)
        storeLanes(clamped(s2, slope, high), q + 2 * channels + c)
        storeLanes(clamped(s3, slope, high), q + 3 * channels + c)
    }
}

/// `depthwise_conv2d` with one output per channel and any window: as `depthwise3x3`, four windows
/// inside the image at a time and the others pixel by pixel (`depthwisePixel`), the window's size
/// not a constant.
@inline(never)
private func depthwiseRows(
    _ batch: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
    height: Int, width: Int, channels: Int, span: Int, outputHeight: Int, outputWidth: Int, kernel: (Int, Int),
    strides: (Int, Int), padding: (top: Int, left: Int), weights: UnsafePointer<Float>, bias: UnsafePointer<Float>,
    clamp: Clamp
) {
    let (slope, high) = (clamp.slope, clamp.high)
    let (row, column) = (width * channels, channels)
    for n in 0..<batch {
        let image = input + n * height * row
        for y in 0..<outputHeight {
            let top = y * strides.0 - padding.top
            let rowInside = top >= 0 && top + kernel.0 <= height
            let target = output + (n * outputHeight + y) * outputWidth * channels
            var x = 0
            while x < outputWidth {
                let left = x * strides.1 - padding.left
                if rowInside && left >= 0 && x + 4 <= outputWidth && left + 3 * strides.1 + kernel.1 <= width {
                    fourWindows(
                        image + top * row + left * column, target + x * channels, step: strides.1 * column, row: row,
                        channels: channels, span: span, kernel: kernel, weights: weights, bias: bias, slope: slope,
                        high: high)
                    x += 4
                    continue
                }
                depthwisePixel(
                    image, target + x * channels, height: height, width: width, channels: channels, span: span,
                    kernel: kernel,
                    top: top, left: left, weights: weights, bias: bias, slope: slope, high: high)
                x += 1
            }
        }
    }
}

/// Every channel of one output pixel of a depthwise convolution whose window starts at (`top`,
/// `left`) of `image`: the bias, then the taps of the cells inside the image in order.
@inline(__always)
private func depthwisePixel(
    _ image: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>, height: Int, width: Int, channels: Int,
    span: Int, kernel: (Int, Int), top: Int, left: Int, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>,
    slope: Float, high: Float
) {
    let rows = max(0, -top)..<min(kernel.0, height - top)
    let columns = max(0, -left)..<min(kernel.1, width - left)
    for c in stride(from: 0, to: span, by: Lanes.scalarCount) {
        var sum = lanes(bias + c)
        for ky in rows {
            let p = image + ((top + ky) * width + left) * channels + c
            let taps = weights + ky * kernel.1 * channels + c
            for kx in columns { add(&sum, lanes(p + kx * channels), lanes(taps + kx * channels)) }
        }
        storeLanes(clamped(sum, slope, high), target + c)
    }
}

@inline(__always)
private func add(_ sum: inout Lanes, _ x: Lanes, _ y: Lanes) {
    #if CNNC_FMA || arch(arm64)
        sum.addProduct(x, y)
    #else
        sum += x * y
    #endif
}

/// A `Clamp` given as its slope and cap (`Clamp.slope`, `Clamp.high`), on a run of channels.
@inline(__always)
private func clamped(_ value: Lanes, _ slope: Float, _ high: Float) -> Lanes {
    let scaled = value.replacing(with: value * slope, where: value .< 0)
    return scaled.replacing(with: high, where: scaled .> high)
}
