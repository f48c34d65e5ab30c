import Foundation

// MARK: Convolutions of a few input channels

/// Multiply-adds per output at or below which a convolution runs directly (`shallowConvolution`)
/// rather than as a blocked matrix product: a network's first layer, one to three input channels.
let shallowDepth = 32

/// Whether `shallowConvolution` takes a convolution of window `kernel` over `channels` channels: a
/// window of at most `shallowDepth` multiply-adds, no dilation, output rows of a tile or more (the
/// blocked product's tiles run on into the next row), and a band of its kernel rows, padded, that
/// fits the scratch the matrix product would have had.
func isShallow(
    width: Int, channels: Int, outputWidth: Int, kernel: (Int, Int), strides: (Int, Int), dilation: (Int, Int)
) -> Bool {
    let depth = kernel.0 * kernel.1 * channels
    guard depth <= shallowDepth, dilation == (1, 1), outputWidth >= tileRows else { return false }
    let pixels = shallowBandWidth(width: width, outputWidth: outputWidth, kernel: kernel.1, stride: strides.1)
    return kernel.0 * pixels * channels + tileRows * panelWidth <= scratchCount(depth: depth)
}

/// Pixels a row of `shallowConvolution`'s band holds: the image's row, or as far as the last
/// window reaches past it into the padding.
func shallowBandWidth(width: Int, outputWidth: Int, kernel: Int, stride: Int) -> Int {
    max(width, (outputWidth - 1) * stride + kernel)
}

/// A convolution whose windows are short (`isShallow`), computed directly: each output row is swept
/// six pixels at a time against every weight panel in turn, the windows read in place one stride
/// apart, the last six overlapping the ones before where the row is not a whole number of tiles.
/// A row whose windows touch the padding reads a band of its kernel rows copied with zeros around
/// them. The blocked product's bookkeeping (the tiles of a block, six row pointers, the prefetch)
/// costs as much as the nine multiply-adds an output of a one-channel 3×3 convolution; here a tile
/// is a pointer and a stride. Each output is the same sum, in the same order, as the blocked
/// product computes, so the bits do not change.
@inline(never)
func shallowConvolution(
    _ batch: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
    height: Int, width: Int, channels: Int, outputHeight: Int, outputWidth: Int, filters: Int,
    kernel: (Int, Int), strides: (Int, Int), padding: (top: Int, left: Int),
    weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, clamp: Clamp, scratch: Scratch
) {
    let p = Patches(
        input, height: height, width: width, channels: channels, outputHeight: outputHeight,
        outputWidth: outputWidth, kernel: kernel, strides: strides, dilation: (1, 1), padding: padding)
    let depth = p.kernelHeight * p.kernelWidth * p.channels
    let panels = (filters + panelWidth - 1) / panelWidth
    let lines = batch * p.outputHeight
    let parts = partCount(
        available: scratch.parts, units: lines, work: lines * p.outputWidth * depth * filters,
        minimum: minimumProductWork)
    let bandWidth = shallowBandWidth(
        width: p.width, outputWidth: p.outputWidth, kernel: p.kernelWidth, stride: p.strideWidth)
    // The windows of a tile are `step` floats apart, a value the optimizer is not to know. With it
    // a constant (a generated model whose calls all pass the same shapes, as MNIST's one does),
    // LLVM saw that a one-channel window at stride 1 is the one before it moved by a float, loaded
    // each float once for every window across the unrolled taps, and kept eight broadcasts live
    // beside the twelve accumulators: 7 spills and 12 reloads a tile row on AVX2.
    let (step, length) = (opaque(p.strideWidth * p.channels), p.kernelWidth * p.channels)
    let rowFloats = p.width * p.channels
    inParallel(parts) { part in
        let band = scratch.base + part * scratch.stride
        let stage = band + p.kernelHeight * bandWidth * p.channels
        for line in share(part, of: parts, lines) {
            let (image, y) = line.quotientAndRemainder(dividingBy: p.outputHeight)
            let top = y * p.strideHeight - p.padTop
            let inside = p.padLeft == 0 && bandWidth == p.width && top >= 0 && top + p.kernelHeight <= p.height
            let (a, gap): (UnsafePointer<Float>, Int)
            if inside {
                (a, gap) = (p.input + (image * p.height + top) * rowFloats, rowFloats)
            } else {
                // The kernel rows of this output row, `padLeft` zero pixels before each and zeros to
                // the band's end; rows outside the image all zeros.
                let bandGap = bandWidth * p.channels
                band.update(repeating: 0, count: p.kernelHeight * bandGap)
                for ky in 0..<p.kernelHeight where top + ky >= 0 && top + ky < p.height {
                    let run = min(p.width, bandWidth - p.padLeft) * p.channels
                    (band + ky * bandGap + p.padLeft * p.channels).update(
                        from: p.input + (image * p.height + top + ky) * rowFloats, count: run)
                }
                (a, gap) = (UnsafePointer(band), bandGap)
            }
            let output = output + line * p.outputWidth * filters
            for panel in 0..<panels {
                let live = min(panelWidth, filters - panel * panelWidth)
                let (b, panelBias) = (weights + panel * depth * panelWidth, bias + panel * panelWidth)
                // A panel of fewer live columns is stored in `stage`, then its live columns copied.
                let (target, targetStride) =
                    live == panelWidth ? (output + panel * panelWidth, filters) : (stage, panelWidth)
                var x = 0
                while x < p.outputWidth {
                    // The row's last pixels, fewer than a tile, are the last six: the ones before
                    // them are computed twice, to the same values. One pixel at a time, a window's
                    // nine multiply-adds wait on each other; 2 pixels of MNIST's 26 took an eighth
                    // of the layer's time so.
                    x = min(x, p.outputWidth - tileRows)
                    let (window, c) = (a + x * step, target + (live == panelWidth ? x * targetStride : 0))
                    stridedTile(window, step, p.kernelHeight, length, gap, b, c, targetStride, panelBias, clamp)
                    if live < panelWidth {
                        for r in 0..<tileRows {
                            (output + (x + r) * filters + panel * panelWidth).update(
                                from: stage + r * panelWidth, count: live)
                        }
                    }
                    x += tileRows
                }
            }
        }
    }
}

/// `value`, unknown to the optimizer: it comes back through memory that a function it does not
/// inline writes.
@inline(__always)
private func opaque(_ value: Int) -> Int {
    var slot = 0
    withUnsafeMutablePointer(to: &slot) { write(value, to: $0) }
    return slot
}

@inline(never)
private func write(_ value: Int, to slot: UnsafeMutablePointer<Int>) { slot.pointee = value }

/// Six pixels `step` floats apart by one weight panel, stored whole at `c`, `columns` apart: the
/// matrix product's tile, addressed by one pointer.
@inline(__always)
private func stridedTile(
    _ a: UnsafePointer<Float>, _ step: Int, _ segments: Int, _ length: Int, _ gap: Int, _ b: UnsafePointer<Float>,
    _ c: UnsafeMutablePointer<Float>, _ columns: Int, _ bias: UnsafePointer<Float>, _ clamp: Clamp
) {
    let wide = panelWidth > 16
    var c00 = Vector()
    var c01 = Vector()
    var c10 = Vector()
    var c11 = Vector()
    var c20 = Vector()
    var c21 = Vector()
    var c30 = Vector()
    var c31 = Vector()
    var c40 = Vector()
    var c41 = Vector()
    var c50 = Vector()
    var c51 = Vector()
    var b = b
    for segment in 0..<segments {
        // A pointer per pixel, so that the loop's loads take no index arithmetic (each `k + step`
        // was an add and an overflow check).
        let a0 = a + segment * gap
        let (a1, a2, a3, a4, a5) = (a0 + step, a0 + 2 * step, a0 + 3 * step, a0 + 4 * step, a0 + 5 * step)
        for k in 0..<length {
            let b0 = load(b)
            let b1 = wide ? load(b + 16) : b0
            var x = Vector(repeating: a0[k])
            multiplyAdd(&c00, x, b0)
            if wide { multiplyAdd(&c01, x, b1) }
            x = Vector(repeating: a1[k])
            multiplyAdd(&c10, x, b0)
            if wide { multiplyAdd(&c11, x, b1) }
            x = Vector(repeating: a2[k])
            multiplyAdd(&c20, x, b0)
            if wide { multiplyAdd(&c21, x, b1) }
            x = Vector(repeating: a3[k])
            multiplyAdd(&c30, x, b0)
            if wide { multiplyAdd(&c31, x, b1) }
            x = Vector(repeating: a4[k])
            multiplyAdd(&c40, x, b0)
            if wide { multiplyAdd(&c41, x, b1) }
            x = Vector(repeating: a5[k])
            multiplyAdd(&c50, x, b0)
            if wide { multiplyAdd(&c51, x, b1) }
            b += panelWidth
        }
    }
    // relu, the common case, takes the short form of `finish` (`VectorClamp`): it is an eighth of
    // the layer's time when the windows are nine multiply-adds.
    let finished = VectorClamp(clamp)
    @inline(__always) func put(_ row: Int, _ low: Vector, _ high: Vector) {
        let target = c + row * columns
        store(finished.apply(low, bias), target)
        if wide { store(finished.apply(high, bias + 16), target + 16) }
    }
    put(0, c00, c01)
    put(1, c10, c11)
    put(2, c20, c21)
    put(3, c30, c31)
    put(4, c40, c41)
    put(5, c50, c51)
}
