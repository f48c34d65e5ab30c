/// The support code every generated model carries: kernels, vector math and the weights
/// reader. It is plain Swift on the standard library and Foundation, private to the generated
/// file, so several models compile together without clashing. The layer code calls it with
/// constant shapes; `@inline(__always)` lets the compiler specialize each call.
///
/// The kernels mirror the interpreter's (`Sources/CNNInterpreter/Kernels`); the end-to-end tests
/// compile this text and check it against Keras's outputs.
enum Runtime {
    static let kernels = #"""
// MARK: - Kernels

// The code below is the same in every model cnnc generates; the layer code above calls it with
// constant shapes, and `@inline(__always)` lets the compiler specialize each call to them.
// Build with -DCNNC_FMA, together with a -target-cpu that has FMA, for fused multiply-adds (arm64
// always has them), and add -DCNNC_AVX512 on a CPU with AVX-512 for its wider register tiles.

private typealias Vector = SIMD16<Float>

private enum Clamp {
    case none, relu, relu6, leakyRelu
}

private enum Activation {
    case linear, relu, relu6, leakyRelu, elu, selu, gelu, sigmoid, hardSigmoid, tanh, softmax, softplus, softsign,
        swish
}

#if CNNC_AVX512
    // AVX-512 (32 registers of 16 floats): 6×32 tiles, twelve accumulators keep both FMA units busy.
    private let panelWidth = 32
#else
    // AVX2 (16 registers of 8 floats) and arm64 NEON (32 of 4): 6×16 tiles, the widest that do not spill.
    private let panelWidth = 16
#endif
private let tileRows = 6
private let blockRows = 96

@inline(__always)
private func multiplyAdd(_ accumulator: inout Vector, _ x: Vector, _ y: Vector) {
    #if CNNC_FMA || arch(arm64)
        accumulator.addProduct(x, y)
    #else
        accumulator += x * y
    #endif
}

@inline(__always)
private func load(_ pointer: UnsafePointer<Float>) -> Vector {
    UnsafeRawPointer(pointer).loadUnaligned(as: Vector.self)
}

@inline(__always)
private func store(_ value: Vector, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Vector.self)
}

/// The first `count` lanes of `value`, through `stage`: 16 floats of scratch, memory the optimizer
/// must assume is read elsewhere, so the whole vector is stored there. Taken lane by lane from
/// registers, or through a local buffer, where `count` is a constant (a layer of 5 or 10 outputs),
/// the optimizer trims the tile's accumulators to the lanes stored, in odd pieces (8 + 4 + 3 + 1
/// lanes on AVX2) that spill in the hot loop.
@inline(__always)
private func storePart(_ value: Vector, _ pointer: UnsafeMutablePointer<Float>, _ count: Int, _ stage: UnsafeMutablePointer<Float>) {
    store(value, stage)
    pointer.update(from: stage, count: count)
}

/// Bias, then the clamp, on sixteen outputs.
@inline(__always)
private func finish(_ value: Vector, _ bias: UnsafePointer<Float>, _ clamp: Clamp) -> Vector {
    let value = value + load(bias)
    switch clamp {
    case .none: return value
    case .relu: return value.replacing(with: 0, where: value .< 0)
    case .relu6: return value.replacing(with: 0, where: value .< 0).replacing(with: 6, where: value .> 6)
    case .leakyRelu: return value.replacing(with: value * 0.2, where: value .< 0)
    }
}

// MARK: Matrix product

/// Where the six rows of the left operand one tile reads start. Read in place, each row is
/// `RowSource.segments` runs of `length` floats, `gap` floats apart (a convolution window, a run
/// per kernel row); packed, each is one run of the whole depth.
private struct TileRows {
    var r0, r1, r2, r3, r4, r5: UnsafePointer<Float>
    var packed: Bool
}

/// The left operand of a matrix product, `tileRows` rows at a time. The run geometry is a
/// property, not part of `TileRows`, so that it stays a constant the tile loops unroll by.
private protocol RowSource {
    var segments: Int { get }
    var length: Int { get }
    var gap: Int { get }
    func rows(first: Int, count: Int, scratch: UnsafeMutablePointer<Float>) -> TileRows
}

/// Rows `depth` apart from `start`; rows past `count` repeat row 0.
@inline(__always)
private func rowsFrom(_ start: UnsafePointer<Float>, count: Int, depth: Int, packed: Bool) -> TileRows {
    func row(_ r: Int) -> UnsafePointer<Float> { start + (r < count ? r : 0) * depth }
    return TileRows(r0: row(0), r1: row(1), r2: row(2), r3: row(3), r4: row(4), r5: row(5), packed: packed)
}

/// A row-major matrix read in place.
private struct MatrixRows: RowSource {
    let start: UnsafePointer<Float>
    let depth: Int

    var segments: Int { 1 }
    var length: Int { depth }
    var gap: Int { 0 }

    @inline(__always)
    func rows(first: Int, count: Int, scratch: UnsafeMutablePointer<Float>) -> TileRows {
        rowsFrom(start + first * depth, count: count, depth: depth, packed: false)
    }
}

/// The image patches of a convolution, in the kernel's [kh, kw, in] order. A tile whose windows
/// all lie inside the image reads them in place, a run of kw · in floats per kernel row; a tile
/// that touches the padding is copied (im2col) with zeros outside the image.
private struct Patches: RowSource {
    let input: UnsafePointer<Float>
    let height, width, channels, outputHeight, outputWidth: Int
    let kernelHeight, kernelWidth, strideHeight, strideWidth, dilationHeight, dilationWidth: Int
    let padTop, padLeft: Int

    var segments: Int { kernelHeight }
    var length: Int { kernelWidth * channels }
    var gap: Int { dilationHeight * width * channels }

    @inline(__always)
    func rows(first: Int, count: Int, scratch: UnsafeMutablePointer<Float>) -> TileRows {
        if dilationWidth == 1, let inside = windows(first: first, count: count) {
            return TileRows(
                r0: inside.0, r1: inside.1, r2: inside.2, r3: inside.3, r4: inside.4, r5: inside.5, packed: false)
        }
        let depth = kernelHeight * kernelWidth * channels
        for r in 0..<count { gather(pixel: first + r, into: scratch + r * depth) }
        return rowsFrom(scratch, count: count, depth: depth, packed: true)
    }

    /// Where the windows of pixels `first ..< first + count` start, if all lie inside the image.
    @inline(__always)
    private func windows(first: Int, count: Int) -> (
        UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>,
        UnsafePointer<Float>
    )? {
        var starts = (input, input, input, input, input, input)
        // Divide once for the first pixel, then step: a tile rarely wraps to the next row.
        var x = first % outputWidth
        var y = (first / outputWidth) % outputHeight
        var image = first / (outputWidth * outputHeight)
        if count == tileRows && x + tileRows <= outputWidth {
            // Six pixels of one output row: one bounds check, then a constant step.
            let top = y * strideHeight - padTop
            let left = x * strideWidth - padLeft
            let right = (x + tileRows - 1) * strideWidth - padLeft + kernelWidth
            guard top >= 0, top + (kernelHeight - 1) * dilationHeight < height, left >= 0, right <= width
            else { return nil }
            let start = input + ((image * height + top) * width + left) * channels
            let step = strideWidth * channels
            return (start, start + step, start + 2 * step, start + 3 * step, start + 4 * step, start + 5 * step)
        }
        for r in 0..<count {
            let top = y * strideHeight - padTop
            let left = x * strideWidth - padLeft
            guard top >= 0, top + (kernelHeight - 1) * dilationHeight < height, left >= 0, left + kernelWidth <= width
            else { return nil }
            let start = input + ((image * height + top) * width + left) * channels
            switch r {
            case 0: starts = (start, start, start, start, start, start)
            case 1: starts.1 = start
            case 2: starts.2 = start
            case 3: starts.3 = start
            case 4: starts.4 = start
            default: starts.5 = start
            }
            x += 1
            if x == outputWidth {
                x = 0
                y += 1
                if y == outputHeight {
                    y = 0
                    image += 1
                }
            }
        }
        return starts
    }

    /// Copies one pixel's window into a packed row.
    @inline(__always)
    private func gather(pixel: Int, into target: UnsafeMutablePointer<Float>) {
        let x = pixel % outputWidth
        let y = (pixel / outputWidth) % outputHeight
        let image = input + (pixel / (outputWidth * outputHeight)) * height * width * channels
        let left = x * strideWidth - padLeft
        let inside = left >= 0 && left + (kernelWidth - 1) * dilationWidth < width
        let run = dilationWidth == 1 ? kernelWidth * channels : channels
        var target = target
        for ky in 0..<kernelHeight {
            let iy = y * strideHeight - padTop + ky * dilationHeight
            if iy < 0 || iy >= height {
                target.update(repeating: 0, count: kernelWidth * channels)
            } else if inside && run > channels {
                target.update(from: image + (iy * width + left) * channels, count: run)
            } else {
                for kx in 0..<kernelWidth {
                    let ix = left + kx * dilationWidth
                    if ix >= 0 && ix < width {
                        (target + kx * channels).update(from: image + (iy * width + ix) * channels, count: channels)
                    } else {
                        (target + kx * channels).update(repeating: 0, count: channels)
                    }
                }
            }
            target += kernelWidth * channels
        }
    }
}

/// output[rows, columns] = finish(A · B): A from `source`, B packed in panels of `panelWidth` columns
/// (`packPanels`). Rows are gathered 96 at a time; each panel then sweeps them in 6-row tiles.
/// `scratch` holds the gathered rows and, after them, 16 floats where partial tiles are staged.
@inline(__always)
private func multiply<Source: RowSource>(
    rows: Int, depth: Int, columns: Int, source: Source, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>,
    clamp: Clamp, output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
) {
    let panels = (columns + panelWidth - 1) / panelWidth
    let stage = scratch + blockRows * depth
    withUnsafeTemporaryAllocation(of: TileRows.self, capacity: blockRows / tileRows) { tiles in
        var blockStart = 0
        while blockStart < rows {
            let blockCount = min(blockRows, rows - blockStart)
            let tileCount = (blockCount + tileRows - 1) / tileRows
            for index in 0..<tileCount {
                let first = blockStart + index * tileRows
                tiles[index] = source.rows(
                    first: first, count: min(tileRows, rows - first), scratch: scratch + index * tileRows * depth)
            }
            for panel in 0..<panels {
                let live = min(panelWidth, columns - panel * panelWidth)
                let b = weights + panel * depth * panelWidth
                for index in 0..<tileCount {
                    let row = blockStart + index * tileRows
                    let c = output + row * columns + panel * panelWidth
                    let (a, count, panelBias) = (tiles[index], min(tileRows, rows - row), bias + panel * panelWidth)
                    switch (panelWidth > 16 && live > 16, a.packed) {
                    case (true, false):
                        wideTile(a, source.segments, source.length, source.gap, b, c, columns, count, live, panelBias, clamp, stage)
                    case (true, true): wideTile(a, 1, depth, 0, b, c, columns, count, live, panelBias, clamp, stage)
                    case (false, false):
                        narrowTile(a, source.segments, source.length, source.gap, b, c, columns, count, live, panelBias, clamp, stage)
                    case (false, true): narrowTile(a, 1, depth, 0, b, c, columns, count, live, panelBias, clamp, stage)
                    }
                }
            }
            blockStart += blockCount
        }
    }
}

/// Six rows by 32 columns in twelve accumulators.
@inline(__always)
private func wideTile(
    _ a: TileRows, _ segments: Int, _ length: Int, _ gap: Int, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ columns: Int, _ rows: Int,
    _ live: Int, _ bias: UnsafePointer<Float>, _ clamp: Clamp, _ stage: UnsafeMutablePointer<Float>
) {
    var c00 = Vector(), c01 = Vector(), c10 = Vector(), c11 = Vector(), c20 = Vector(), c21 = Vector()
    var c30 = Vector(), c31 = Vector(), c40 = Vector(), c41 = Vector(), c50 = Vector(), c51 = Vector()
    var b = b
    for segment in 0..<segments {
        let offset = segment * gap
        let (a0, a1, a2) = (a.r0 + offset, a.r1 + offset, a.r2 + offset)
        let (a3, a4, a5) = (a.r3 + offset, a.r4 + offset, a.r5 + offset)
        for k in 0..<length {
            let (b0, b1) = (load(b), load(b + 16))
            var x = Vector(repeating: a0[k])
            multiplyAdd(&c00, x, b0)
            multiplyAdd(&c01, x, b1)
            x = Vector(repeating: a1[k])
            multiplyAdd(&c10, x, b0)
            multiplyAdd(&c11, x, b1)
            x = Vector(repeating: a2[k])
            multiplyAdd(&c20, x, b0)
            multiplyAdd(&c21, x, b1)
            x = Vector(repeating: a3[k])
            multiplyAdd(&c30, x, b0)
            multiplyAdd(&c31, x, b1)
            x = Vector(repeating: a4[k])
            multiplyAdd(&c40, x, b0)
            multiplyAdd(&c41, x, b1)
            x = Vector(repeating: a5[k])
            multiplyAdd(&c50, x, b0)
            multiplyAdd(&c51, x, b1)
            b += panelWidth
        }
    }
    @inline(__always) func put(_ row: Int, _ low: Vector, _ high: Vector) {
        guard row < rows else { return }
        let (low, high) = (finish(low, bias, clamp), finish(high, bias + 16, clamp))
        let target = c + row * columns
        if live == panelWidth {
            store(low, target)
            store(high, target + 16)
        } else {
            store(low, target)
            storePart(high, target + 16, live - 16, stage)
        }
    }
    put(0, c00, c01)
    put(1, c10, c11)
    put(2, c20, c21)
    put(3, c30, c31)
    put(4, c40, c41)
    put(5, c50, c51)
}

/// Six rows by at most 16 columns: a whole 16-wide panel, or the first half of a 32-wide one.
@inline(__always)
private func narrowTile(
    _ a: TileRows, _ segments: Int, _ length: Int, _ gap: Int, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ columns: Int, _ rows: Int,
    _ live: Int, _ bias: UnsafePointer<Float>, _ clamp: Clamp, _ stage: UnsafeMutablePointer<Float>
) {
    var c0 = Vector(), c1 = Vector(), c2 = Vector(), c3 = Vector(), c4 = Vector(), c5 = Vector()
    var b = b
    for segment in 0..<segments {
        let offset = segment * gap
        let (a0, a1, a2) = (a.r0 + offset, a.r1 + offset, a.r2 + offset)
        let (a3, a4, a5) = (a.r3 + offset, a.r4 + offset, a.r5 + offset)
        for k in 0..<length {
            let b0 = load(b)
            multiplyAdd(&c0, Vector(repeating: a0[k]), b0)
            multiplyAdd(&c1, Vector(repeating: a1[k]), b0)
            multiplyAdd(&c2, Vector(repeating: a2[k]), b0)
            multiplyAdd(&c3, Vector(repeating: a3[k]), b0)
            multiplyAdd(&c4, Vector(repeating: a4[k]), b0)
            multiplyAdd(&c5, Vector(repeating: a5[k]), b0)
            b += panelWidth
        }
    }
    @inline(__always) func put(_ row: Int, _ sums: Vector) {
        guard row < rows else { return }
        let value = finish(sums, bias, clamp)
        let target = c + row * columns
        if live == 16 {
            store(value, target)
        } else {
            storePart(value, target, live, stage)
        }
    }
    put(0, c0)
    put(1, c1)
    put(2, c2)
    put(3, c3)
    put(4, c4)
    put(5, c5)
}

// MARK: Layers

/// `conv2d`: a matrix product of image patches and the packed kernel, bias and clamp fused.
@inline(never)
private func convolution(
    _ batch: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
    height: Int, width: Int, channels: Int, outputHeight: Int, outputWidth: Int, filters: Int,
    kernel: (Int, Int), strides: (Int, Int), dilation: (Int, Int), padding: (top: Int, left: Int),
    weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, clamp: Clamp, scratch: UnsafeMutablePointer<Float>
) {
    let depth = kernel.0 * kernel.1 * channels
    let rows = batch * outputHeight * outputWidth
    if kernel == (1, 1) && strides == (1, 1) && outputHeight == height && outputWidth == width {
        multiply(
            rows: rows, depth: depth, columns: filters, source: MatrixRows(start: input, depth: channels),
            weights: weights, bias: bias, clamp: clamp, output: output, scratch: scratch)
    } else {
        let patches = Patches(
            input: input, height: height, width: width, channels: channels, outputHeight: outputHeight,
            outputWidth: outputWidth, kernelHeight: kernel.0, kernelWidth: kernel.1, strideHeight: strides.0,
            strideWidth: strides.1, dilationHeight: dilation.0, dilationWidth: dilation.1, padTop: padding.top,
            padLeft: padding.left)
        multiply(
            rows: rows, depth: depth, columns: filters, source: patches, weights: weights, bias: bias, clamp: clamp,
            output: output, scratch: scratch)
    }
}

/// `dense` on a batch of rows.
@inline(never)
private func dense(
    _ batch: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, inputs: Int, units: Int,
    weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, clamp: Clamp, scratch: UnsafeMutablePointer<Float>
) {
    multiply(
        rows: batch, depth: inputs, columns: units, source: MatrixRows(start: input, depth: inputs), weights: weights,
        bias: bias, clamp: clamp, output: output, scratch: scratch)
}

/// `depthwise_conv2d`: output channel j = c·multiplier + m reads input channel c; sixteen output
/// channels at a time.
@inline(never)
private func depthwise(
    _ batch: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
    height: Int, width: Int, channels: Int, multiplier: Int, outputHeight: Int, outputWidth: Int,
    kernel: (Int, Int), strides: (Int, Int), dilation: (Int, Int), padding: (top: Int, left: Int),
    weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, clamp: Clamp
) {
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

/// `max_pool2d` and `avg_pool2d`; cells of a `same` window outside the input are skipped, and an
/// average divides by the cells inside.
@inline(never)
private func pool(
    _ batch: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, average: Bool,
    height: Int, width: Int, channels: Int, outputHeight: Int, outputWidth: Int,
    window: (Int, Int), strides: (Int, Int), padding: (top: Int, left: Int)
) {
    for n in 0..<batch {
        let image = input + n * height * width * channels
        for y in 0..<outputHeight {
            let top = max(y * strides.0 - padding.top, 0)
            let bottom = min(y * strides.0 - padding.top + window.0, height)
            for x in 0..<outputWidth {
                let left = max(x * strides.1 - padding.left, 0)
                let right = min(x * strides.1 - padding.left + window.1, width)
                let row = output + ((n * outputHeight + y) * outputWidth + x) * channels
                row.update(from: image + (top * width + left) * channels, count: channels)
                for iy in top..<bottom {
                    for ix in left..<right where iy != top || ix != left {
                        let source = image + (iy * width + ix) * channels
                        if average {
                            for c in 0..<channels { row[c] += source[c] }
                        } else {
                            for c in 0..<channels { row[c] = max(row[c], source[c]) }
                        }
                    }
                }
                if average {
                    let scale = 1 / Float((bottom - top) * (right - left))
                    for c in 0..<channels { row[c] *= scale }
                }
            }
        }
    }
}

/// `global_avg_pool2d` and `global_max_pool2d`.
@inline(never)
private func globalPool(
    _ batch: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, average: Bool,
    pixels: Int, channels: Int
) {
    for n in 0..<batch {
        let image = input + n * pixels * channels
        let row = output + n * channels
        row.update(from: image, count: channels)
        for p in 1..<max(pixels, 1) {
            let source = image + p * channels
            if average {
                for c in 0..<channels { row[c] += source[c] }
            } else {
                for c in 0..<channels { row[c] = max(row[c], source[c]) }
            }
        }
        if average {
            let scale = 1 / Float(pixels)
            for c in 0..<channels { row[c] *= scale }
        }
    }
}

/// `zero_padding2d`.
@inline(never)
private func zeroPad(
    _ batch: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
    height: Int, width: Int, channels: Int, outputHeight: Int, outputWidth: Int, top: Int, left: Int
) {
    output.update(repeating: 0, count: batch * outputHeight * outputWidth * channels)
    for n in 0..<batch {
        for y in 0..<height {
            (output + ((n * outputHeight + y + top) * outputWidth + left) * channels)
                .update(from: input + (n * height + y) * width * channels, count: width * channels)
        }
    }
}

/// `batch_norm` that no convolution absorbed: x · scale + shift per channel (folded at load).
@inline(never)
private func scaleShift(
    _ count: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, channels: Int,
    scale: UnsafePointer<Float>, shift: UnsafePointer<Float>
) {
    var offset = 0
    while offset < count {
        for c in 0..<channels { output[offset + c] = input[offset + c] * scale[c] + shift[c] }
        offset += channels
    }
}

/// `add`: output = first + second; further inputs are added in place with `accumulate`.
@inline(never)
private func add(_ count: Int, _ first: UnsafePointer<Float>, _ second: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>) {
    for i in 0..<count { output[i] = first[i] + second[i] }
}

@inline(never)
private func accumulate(_ count: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>) {
    for i in 0..<count { output[i] += input[i] }
}

/// One input of `concatenate`: its `width` channels of every pixel go to channels
/// `offset ..< offset + width` of an output `total` channels wide.
@inline(never)
private func copyChannels(
    _ pixels: Int, _ input: UnsafePointer<Float>, width: Int, _ output: UnsafeMutablePointer<Float>, total: Int,
    offset: Int
) {
    for pixel in 0..<pixels { (output + pixel * total + offset).update(from: input + pixel * width, count: width) }
}

// MARK: Activations

/// Applies an activation in place; softmax normalizes each run of `channels` values.
@inline(never)
private func activate(_ activation: Activation, _ values: UnsafeMutablePointer<Float>, count: Int, channels: Int) {
    switch activation {
    case .linear: break
    case .relu: map(values, count) { $0.replacing(with: 0, where: $0 .< 0) }
    case .relu6: map(values, count) { clamp($0, 0, 6) }
    case .leakyRelu: map(values, count) { $0.replacing(with: $0 * 0.2, where: $0 .< 0) }
    case .elu: map(values, count) { $0.replacing(with: exp($0) - 1, where: $0 .< 0) }
    case .selu:
        map(values, count) { x in 1.0507009873554805 * x.replacing(with: 1.6732632423543772 * (exp(x) - 1), where: x .< 0) }
    case .gelu: map(values, count) { x in 0.5 * x * (1 + erf(x * 0.70710678118654752)) }
    case .sigmoid: map(values, count) { sigmoid($0) }
    case .hardSigmoid: map(values, count) { clamp($0 + 3, 0, 6) / 6 }
    case .tanh: map(values, count) { tanh($0) }
    case .softmax:
        var row = values
        while row < values + count {
            softmax(row, channels)
            row += channels
        }
    case .softplus:
        // log(1 + eˣ) without overflow: max(x, 0) + log1p(e^−|x|).
        for i in 0..<count { values[i] = max(values[i], 0) + Foundation.log1p(Foundation.exp(-Swift.abs(values[i]))) }
    case .softsign: map(values, count) { $0 / (1 + abs($0)) }
    case .swish: map(values, count) { $0 * sigmoid($0) }
    }
}

#if CNNC_AVX512
    private typealias Lanes = SIMD16<Float>
#else
    // Eight lanes: the polynomials' temporaries at sixteen need more than AVX2's 16 registers.
    private typealias Lanes = SIMD8<Float>
#endif

/// e^(x − max) / Σ e^(x − max) over one run of `count` values, so large logits do not overflow.
/// Its own function: the exponential's constants stay in registers only while it runs.
@inline(never)
private func softmax(_ row: UnsafeMutablePointer<Float>, _ count: Int) {
    var largest = row[0]
    for i in 1..<count { largest = max(largest, row[i]) }
    map(row, count) { exp($0 - largest) }
    var sum: Float = 0
    for i in 0..<count { sum += row[i] }
    let scale = 1 / sum
    map(row, count) { $0 * scale }
}

/// Replaces each run of `Lanes.scalarCount` values by `transform` of it, the last partial run
/// through a zero-padded vector.
@inline(__always)
private func map(_ values: UnsafeMutablePointer<Float>, _ count: Int, _ transform: (Lanes) -> Lanes) {
    let raw = UnsafeMutableRawPointer(values)
    var i = 0
    while i + Lanes.scalarCount <= count {
        let offset = i * 4
        raw.storeBytes(of: transform(raw.loadUnaligned(fromByteOffset: offset, as: Lanes.self)), toByteOffset: offset, as: Lanes.self)
        i += Lanes.scalarCount
    }
    guard i < count else { return }
    var tail = Lanes()
    for j in 0..<count - i { tail[j] = values[i + j] }
    tail = transform(tail)
    for j in 0..<count - i { values[i + j] = tail[j] }
}

/// eˣ (Cephes' expf): x = n·ln 2 + r, a polynomial for eʳ, 2ⁿ put into the exponent bits.
@inline(__always)
private func exp(_ x: Lanes) -> Lanes {
    let x = clamp(x, -87, 88)
    let n = (x * 1.44269504088896341 + 12_582_912) - 12_582_912
    let r = x - n * 0.693359375 + n * 2.12194440e-4
    var p = Lanes(repeating: 1.9875691500e-4)
    p = p * r + 1.3981999507e-3
    p = p * r + 8.3334519073e-3
    p = p * r + 4.1665795894e-2
    p = p * r + 1.6666665459e-1
    p = p * r + 5.0000001201e-1
    p = p * r * r + r + 1
    return p * unsafeBitCast(unsafeBitCast(n + 8_388_735, to: Lanes.MaskStorage.self) &<< 23, to: Lanes.self)
}

@inline(__always)
private func sigmoid(_ x: Lanes) -> Lanes { 1 / (1 + exp(-x)) }

@inline(__always)
private func tanh(_ x: Lanes) -> Lanes {
    let magnitude = 1 - 2 / (exp(2 * abs(x)) + 1)
    return magnitude.replacing(with: -magnitude, where: x .< 0)
}

/// erf, Abramowitz and Stegun 7.1.26.
@inline(__always)
private func erf(_ x: Lanes) -> Lanes {
    let a = abs(x)
    let t = 1 / (1 + 0.3275911 * a)
    var p = Lanes(repeating: 1.061405429)
    p = p * t - 1.453152027
    p = p * t + 1.421413741
    p = p * t - 0.284496736
    p = p * t + 0.254829592
    let y = 1 - p * t * exp(-a * a)
    return y.replacing(with: -y, where: x .< 0)
}

@inline(__always)
private func abs(_ x: Lanes) -> Lanes { x.replacing(with: -x, where: x .< 0) }

@inline(__always)
private func clamp(_ x: Lanes, _ low: Float, _ high: Float) -> Lanes {
    let raised = x.replacing(with: low, where: x .< low)
    return raised.replacing(with: high, where: raised .> high)
}
"""#

    static let weights = #"""
// MARK: - Weights

/// Floats in 64-byte-aligned memory that never moves: the packed weights and the arena.
private final class FloatStore: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>

    init(count: Int) {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 16) * 4, alignment: 64)
        base = raw.initializeMemory(as: Float.self, repeating: 0, count: max(count, 16))
    }

    deinit { base.deallocate() }
}

/// A problem with a weights file, said in words a user can act on.
private struct WeightsProblem: Error {
    var message: String
    var notes: [String] = []
}

/// The tensors of a safetensors file, converted to Float: F32, F16, BF16 and F64. Every size the
/// header states is checked against the file before it is used.
private func readSafeTensors(_ bytes: [UInt8]) throws(WeightsProblem) -> [String: (shape: [Int], values: [Float])] {
    guard bytes.count >= 8 else { throw WeightsProblem(message: "too short for a safetensors file") }
    var declared: UInt64 = 0
    for i in 0..<8 { declared |= UInt64(bytes[i]) << (8 * UInt64(i)) }
    guard declared <= UInt64(bytes.count - 8) else {
        throw WeightsProblem(message: "header length \(declared) runs past the end of the file; it may be truncated")
    }
    let dataStart = 8 + Int(declared)
    guard let json = try? JSONSerialization.jsonObject(with: Data(bytes[8..<dataStart])),
        let header = json as? [String: Any]
    else { throw WeightsProblem(message: "the header is not a JSON object") }
    var tensors: [String: (shape: [Int], values: [Float])] = [:]
    for (name, value) in header where name != "__metadata__" {
        guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
            let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2
        else { throw WeightsProblem(message: "tensor '\(name)' has no dtype, shape or data_offsets") }
        let size: Int
        switch dtype {
        case "F32": size = 4
        case "F16", "BF16": size = 2
        case "F64": size = 8
        default: throw WeightsProblem(message: "tensor '\(name)' has dtype \(dtype); F32, F16, BF16 and F64 are read")
        }
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard dimension >= 0, !overflow else { throw WeightsProblem(message: "tensor '\(name)' has shape \(shape)") }
            count = product
        }
        let (begin, end) = (offsets[0], offsets[1])
        let (bytesNeeded, overflow) = count.multipliedReportingOverflow(by: size)
        guard !overflow, begin >= 0, end >= begin, end - begin == bytesNeeded, end <= bytes.count - dataStart else {
            throw WeightsProblem(message: "tensor '\(name)' has data_offsets \(offsets) that do not fit its shape or the file")
        }
        let start = dataStart + begin
        let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count {
                let at = start + i * size
                switch dtype {
                case "F32":
                    buffer[i] = Float(bitPattern: UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8
                        | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24)
                case "F16": buffer[i] = halfToFloat(UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8)
                case "BF16": buffer[i] = Float(bitPattern: (UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8) << 16)
                default:
                    var bits: UInt64 = 0
                    for j in 0..<8 { bits |= UInt64(bytes[at + j]) << (8 * UInt64(j)) }
                    buffer[i] = Float(Double(bitPattern: bits))
                }
            }
            initialized = count
        }
        tensors[name] = (shape, values)
    }
    return tensors
}

/// IEEE half precision to Float, subnormals, infinities and NaN included.
private func halfToFloat(_ bits: UInt16) -> Float {
    let sign: Float = bits & 0x8000 == 0 ? 1 : -1
    let exponent = Int(bits >> 10 & 0x1F)
    let fraction = Float(bits & 0x3FF)
    switch exponent {
    case 0: return sign * fraction * 0x1p-24
    case 31: return fraction == 0 ? sign * .infinity : .nan
    default: return sign * (1 + fraction / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
    }
}

/// Checks the tensors against those the spec declares: every missing, extra or wrongly shaped
/// tensor is named, with the shape the spec expects.
private func checkTensors(
    _ tensors: [String: (shape: [Int], values: [Float])], expected: [(name: String, shape: [Int])]
) throws(WeightsProblem) {
    var notes: [String] = []
    for (name, shape) in expected {
        if let tensor = tensors[name] {
            if tensor.shape != shape { notes.append("'\(name)' has shape \(tensor.shape); the spec needs \(shape)") }
        } else {
            notes.append("missing '\(name)', shape \(shape)")
        }
    }
    let names = Set(expected.map(\.name))
    for name in tensors.keys.sorted() where !names.contains(name) {
        notes.append("unexpected '\(name)' \(tensors[name]!.shape): the spec declares no such weight")
    }
    guard notes.isEmpty else {
        throw WeightsProblem(message: "\(notes.count) tensor(s) do not match the spec", notes: notes)
    }
}

/// A kernel [rows, columns] (row-major) in panels of 32 columns, zero-padded.
private func packPanels(_ values: [Float], rows: Int, columns: Int, into target: UnsafeMutablePointer<Float>) {
    let panels = (columns + panelWidth - 1) / panelWidth
    for panel in 0..<panels {
        for row in 0..<rows {
            for column in panel * panelWidth..<min(columns, (panel + 1) * panelWidth) {
                target[(panel * rows + row) * panelWidth + column - panel * panelWidth] = values[row * columns + column]
            }
        }
    }
}

/// Folds batch-norm statistics into the kernel (whose last axis is the output channel) and bias.
private func foldNorm(
    kernel: [Float], bias: [Float]?, gamma: [Float], beta: [Float], mean: [Float], variance: [Float], epsilon: Float
) -> (kernel: [Float], bias: [Float]) {
    let channels = gamma.count
    let scale = (0..<channels).map { gamma[$0] / (variance[$0] + epsilon).squareRoot() }
    var kernel = kernel
    for i in kernel.indices { kernel[i] *= scale[i % channels] }
    let bias = bias ?? [Float](repeating: 0, count: channels)
    return (kernel, (0..<channels).map { bias[$0] * scale[$0] + beta[$0] - mean[$0] * scale[$0] })
}

/// Batch-norm statistics as x · scale + shift.
private func normScaleShift(
    gamma: [Float], beta: [Float], mean: [Float], variance: [Float], epsilon: Float
) -> (scale: [Float], shift: [Float]) {
    let scale = (0..<gamma.count).map { gamma[$0] / (variance[$0] + epsilon).squareRoot() }
    return (scale, (0..<gamma.count).map { beta[$0] - mean[$0] * scale[$0] })
}
"""#
}
