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
        if kernel == (3, 3) {
            depthwise3x3(
                batch, input, output, height: height, width: width, channels: channels, outputHeight: outputHeight,
                outputWidth: outputWidth, strides: strides, padding: padding, weights: weights, bias: bias, clamp: clamp
            )
        } else {
            depthwiseRows(
                batch, input, output, height: height, width: width, channels: channels, outputHeight: outputHeight,
                outputWidth: outputWidth, kernel: kernel, strides: strides, padding: padding, weights: weights,
                bias: bias, clamp: clamp)
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

/// `depthwise_conv2d` with a 3×3 window, one output per channel: for each output row and run of
/// `Lanes.scalarCount` channels, the nine taps and the bias stay in registers while the row is
/// swept, and a pixel whose window lies inside the image takes nine loads and nine multiply-adds.
@inline(never)
private func depthwise3x3(
    _ batch: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
    height: Int, width: Int, channels: Int, outputHeight: Int, outputWidth: Int,
    strides: (Int, Int), padding: (top: Int, left: Int), weights: UnsafePointer<Float>, bias: UnsafePointer<Float>,
    clamp: Clamp
) {
    let (slope, high) = (clamp.slope, clamp.high)
    let (row, column) = (width * channels, channels)
    for n in 0..<batch {
        let image = input + n * height * row
        for y in 0..<outputHeight {
            let top = y * strides.0 - padding.top
            let target = output + (n * outputHeight + y) * outputWidth * channels
            for c in stride(from: 0, to: channels, by: Lanes.scalarCount) {
                let w = weights + c
                let (t00, t01, t02) = (lanes(w), lanes(w + channels), lanes(w + 2 * channels))
                let (t10, t11, t12) = (lanes(w + 3 * channels), lanes(w + 4 * channels), lanes(w + 5 * channels))
                let (t20, t21, t22) = (lanes(w + 6 * channels), lanes(w + 7 * channels), lanes(w + 8 * channels))
                let b = lanes(bias + c)
                for x in 0..<outputWidth {
                    let left = x * strides.1 - padding.left
                    var sum = b
                    if top >= 0 && top + 2 < height && left >= 0 && left + 2 < width {
                        let p = image + top * row + left * column + c
                        add(&sum, lanes(p), t00)
                        add(&sum, lanes(p + column), t01)
                        add(&sum, lanes(p + 2 * column), t02)
                        add(&sum, lanes(p + row), t10)
                        add(&sum, lanes(p + row + column), t11)
                        add(&sum, lanes(p + row + 2 * column), t12)
                        add(&sum, lanes(p + 2 * row), t20)
                        add(&sum, lanes(p + 2 * row + column), t21)
                        add(&sum, lanes(p + 2 * row + 2 * column), t22)
                    } else {
                        // The border: the taps of cells inside the image, read again from memory.
                        for ky in 0..<3 where top + ky >= 0 && top + ky < height {
                            for kx in 0..<3 where left + kx >= 0 && left + kx < width {
                                let p = image + (top + ky) * row + (left + kx) * column + c
                                add(&sum, lanes(p), lanes(w + (ky * 3 + kx) * channels))
                            }
                        }
                    }
                    storeLanes(clamped(sum, slope, high), target + x * channels + c)
                }
            }
        }
    }
}

/// `depthwise_conv2d` with one output per channel and any window: for each output row and run of
/// `Lanes.scalarCount` channels the row is swept as in `depthwise3x3`, the taps read from L1.
@inline(never)
private func depthwiseRows(
    _ batch: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
    height: Int, width: Int, channels: Int, outputHeight: Int, outputWidth: Int, kernel: (Int, Int),
    strides: (Int, Int), padding: (top: Int, left: Int), weights: UnsafePointer<Float>, bias: UnsafePointer<Float>,
    clamp: Clamp
) {
    let (slope, high) = (clamp.slope, clamp.high)
    let (row, column) = (width * channels, channels)
    for n in 0..<batch {
        let image = input + n * height * row
        for y in 0..<outputHeight {
            let top = y * strides.0 - padding.top
            let target = output + (n * outputHeight + y) * outputWidth * channels
            let rows = max(0, -top)..<min(kernel.0, height - top)
            for c in stride(from: 0, to: channels, by: Lanes.scalarCount) {
                let w = weights + c
                let b = lanes(bias + c)
                for x in 0..<outputWidth {
                    let left = x * strides.1 - padding.left
                    let columns = max(0, -left)..<min(kernel.1, width - left)
                    var sum = b
                    for ky in rows {
                        let p = image + (top + ky) * row + left * column + c
                        let taps = w + ky * kernel.1 * channels
                        for kx in columns { add(&sum, lanes(p + kx * column), lanes(taps + kx * channels)) }
                    }
                    storeLanes(clamped(sum, slope, high), target + x * channels + c)
                }
            }
        }
    }
}

@inline(__always)
private func lanes(_ pointer: UnsafePointer<Float>) -> Lanes {
    UnsafeRawPointer(pointer).loadUnaligned(as: Lanes.self)
}

@inline(__always)
private func storeLanes(_ value: Lanes, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Lanes.self)
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
