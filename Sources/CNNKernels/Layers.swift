import Foundation

// MARK: Layers

/// How `convolution` computes a layer, chosen from its shapes alone. The generated code calls the
/// kernel its layers take, so the compiler never sees the others: CIFAR VGG's model file, none of
/// whose layers takes the patches' matrix product, compiled in 4.2–4.6 CPU-s rather than 5.0–5.7.
package enum ConvolutionMethod: Sendable {
    /// Winograd's F(2×2, 3×3) (`usesWinograd`), the kernel packed by `packWinograd`.
    case winograd
    /// A 1×1 window at stride 1 over the whole image: `dense` on its pixels.
    case pointwise
    /// A window over a few input channels (`isShallow`) and no residual: `shallowConvolution`.
    case shallow
    /// A matrix product of image patches: `patchConvolution`.
    case patches
}

/// The method `convolution` takes for a layer of these shapes (with a residual to add, or not).
package func convolutionMethod(
    height: Int, width: Int, channels: Int, outputHeight: Int, outputWidth: Int, filters: Int, kernel: (Int, Int),
    strides: (Int, Int), dilation: (Int, Int), residual: Bool
) -> ConvolutionMethod {
    if usesWinograd(
        channels: channels, filters: filters, outputHeight: outputHeight, outputWidth: outputWidth, kernel: kernel,
        strides: strides, dilation: dilation)
    {
        return .winograd
    }
    if kernel == (1, 1) && strides == (1, 1) && outputHeight == height && outputWidth == width { return .pointwise }
    if !residual
        && isShallow(
            width: width, channels: channels, outputWidth: outputWidth, kernel: kernel, strides: strides,
            dilation: dilation)
    {
        return .shallow
    }
    return .patches
}

/// `conv2d`, bias, residual and clamp fused, by the method `convolutionMethod` chooses; a 3×3
/// convolution that `usesWinograd` takes its kernel from `packWinograd`, any other from `pack`.
@inline(never)
package func convolution(
    _ batch: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
    height: Int, width: Int, channels: Int, outputHeight: Int, outputWidth: Int, filters: Int,
    kernel: (Int, Int), strides: (Int, Int), dilation: (Int, Int), padding: (top: Int, left: Int),
    weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, clamp: Clamp, residual: UnsafePointer<Float>? = nil,
    scratch: Scratch
) {
    let method = convolutionMethod(
        height: height, width: width, channels: channels, outputHeight: outputHeight, outputWidth: outputWidth,
        filters: filters, kernel: kernel, strides: strides, dilation: dilation, residual: residual != nil)
    switch method {
    case .winograd:
        winogradConvolution(
            batch, input, output, height: height, width: width, channels: channels, outputHeight: outputHeight,
            outputWidth: outputWidth, filters: filters, padding: padding, weights: weights, bias: bias, clamp: clamp,
            residual: residual, scratch: scratch)
    case .pointwise:
        dense(
            batch * height * width, input, output, inputs: channels, units: filters, weights: weights, bias: bias,
            clamp: clamp, residual: residual, scratch: scratch)
    case .shallow:
        shallowConvolution(
            batch, input, output, height: height, width: width, channels: channels, outputHeight: outputHeight,
            outputWidth: outputWidth, filters: filters, kernel: kernel, strides: strides, padding: padding,
            weights: weights, bias: bias, clamp: clamp, scratch: scratch)
    case .patches:
        patchConvolution(
            batch, input, output, height: height, width: width, channels: channels, outputHeight: outputHeight,
            outputWidth: outputWidth, filters: filters, kernel: kernel, strides: strides, dilation: dilation,
            padding: padding, weights: weights, bias: bias, clamp: clamp, residual: residual, scratch: scratch)
    }
}

/// `conv2d` as a matrix product of image patches and the packed kernel, bias, residual and clamp fused.
@inline(never)
func patchConvolution(
    _ batch: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
    height: Int, width: Int, channels: Int, outputHeight: Int, outputWidth: Int, filters: Int,
    kernel: (Int, Int), strides: (Int, Int), dilation: (Int, Int), padding: (top: Int, left: Int),
    weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, clamp: Clamp, residual: UnsafePointer<Float>?,
    scratch: Scratch
) {
    let patches = Patches(
        input, height: height, width: width, channels: channels, outputHeight: outputHeight,
        outputWidth: outputWidth, kernel: kernel, strides: strides, dilation: dilation, padding: padding)
    // Where the windows lose kernel taps to the padding, the output splits into areas whose
    // windows lose the same taps, and each area's product skips them: 10% of CIFAR VGG's
    // multiply-adds, 18% of a 7×7 image's in a 3×3 `same` convolution. A layer split across
    // threads stays whole: each area would be a round of the threads' work, which cost ResNet-50
    // at batch 1 on two threads more than it saved (17.6-17.9 to 18.2-18.3 ms). The values are
    // the same either way: a sum that starts at +0 is not changed by adding a zero. One call of
    // the product serves every area and the whole output: each call is a copy of its code.
    let areas =
        dilation == (1, 1) && scratch.parts == 1
        ? paddingAreas(
            batch: batch, height: height, width: width, outputHeight: outputHeight, outputWidth: outputWidth,
            kernel: kernel, strides: strides, padding: padding)?.map {
                patches.area(rows: $0.0, columns: $0.1, tapRows: $0.2, tapColumns: $0.3)
            } : nil
    for area in areas ?? [patches] {
        multiply(
            rows: area.rows(batch: batch), depth: kernel.0 * kernel.1 * channels, columns: filters, source: area,
            weights: weights, bias: bias, clamp: clamp, residual: residual, output: output, scratch: scratch)
    }
}

/// The areas of a convolution's output whose windows lose the same kernel taps to the padding
/// (output rows, output columns, the taps kept), when splitting pays: at most three kinds of rows
/// and of columns (a 3×3 `same` convolution's nine areas), and the taps skipped at least twice the
/// weights each area after the first sweeps once more. Each area's product reads every weight once
/// more: a 7×7 image's in ResNet-50 (9 MB of weights for 49 pixels) spends more time on that than
/// it saves on 18% of the multiply-adds. Nil where the windows lose no taps.
func paddingAreas(
    batch: Int, height: Int, width: Int, outputHeight: Int, outputWidth: Int, kernel: (Int, Int),
    strides: (Int, Int), padding: (top: Int, left: Int)
) -> [(Range<Int>, Range<Int>, Range<Int>, Range<Int>)]? {
    guard
        let rows = tapRanges(
            outputs: outputHeight, size: height, kernel: kernel.0, stride: strides.0, pad: padding.top),
        let columns = tapRanges(
            outputs: outputWidth, size: width, kernel: kernel.1, stride: strides.1, pad: padding.left),
        rows.count * columns.count > 1, rows.count <= 3, columns.count <= 3
    else { return nil }
    let areas = rows.flatMap { row in columns.map { column in (row.0, column.0, row.1, column.1) } }
    let taps = kernel.0 * kernel.1
    let skipped = areas.reduce(0) { $0 + $1.0.count * $1.1.count * (taps - $1.2.count * $1.3.count) }
    return batch * skipped >= 2 * (areas.count - 1) * taps ? areas : nil
}

/// The output rows (or columns) of a convolution grouped by the kernel taps their windows keep
/// inside the image, in order: for a 3×3 `same` convolution, the first row (taps 1 and 2), the
/// middle rows (all three) and the last (taps 0 and 1). Nil if a window keeps no tap.
func tapRanges(outputs: Int, size: Int, kernel: Int, stride: Int, pad: Int) -> [(Range<Int>, Range<Int>)]? {
    var ranges: [(Range<Int>, Range<Int>)] = []
    for output in 0..<outputs {
        let first = output * stride - pad
        let taps = max(0, -first)..<max(max(0, -first), min(kernel, size - first))
        if taps.isEmpty { return nil }
        if let last = ranges.last, last.1 == taps {
            ranges[ranges.count - 1].0 = last.0.lowerBound..<output + 1
        } else {
            ranges.append((output..<output + 1, taps))
        }
    }
    return ranges
}

/// `dense` on a batch of rows, bias, residual and clamp fused.
@inline(never)
package func dense(
    _ batch: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, inputs: Int, units: Int,
    weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, clamp: Clamp, residual: UnsafePointer<Float>? = nil,
    scratch: Scratch
) {
    multiply(
        rows: batch, depth: inputs, columns: units, source: MatrixRows(start: input, depth: inputs), weights: weights,
        bias: bias, clamp: clamp, residual: residual, output: output, scratch: scratch)
}

/// `max_pool2d` and `avg_pool2d`; cells of a `same` window outside the input are skipped, and an
/// average divides by the cells inside. Split across up to `parts` threads by output rows.
@inline(never)
package func pool(
    _ batch: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, average: Bool,
    height: Int, width: Int, channels: Int, outputHeight: Int, outputWidth: Int,
    window: (Int, Int), strides: (Int, Int), padding: (top: Int, left: Int), parts: Int = 1
) {
    let rows = batch * outputHeight
    let rowWork = outputWidth * channels * window.0 * window.1
    let parts = partCount(available: parts, units: rows, work: rows * rowWork, minimum: minimumPassWork)
    inParallel(parts) { part in
        poolRows(
            share(part, of: parts, rows), input, output, average: average, height: height, width: width,
            channels: channels, outputHeight: outputHeight, outputWidth: outputWidth, window: window, strides: strides,
            padding: padding)
    }
}

/// Output rows `rows` (image after image) of `pool`, on the calling thread. A function of its own
/// rather than the body of `inParallel`'s closure: `inParallel`, inlined, runs a single part by
/// calling its body directly, and the compiler compiled that body twice, there and in the closure
/// the threads call.
@inline(never)
private func poolRows(
    _ rows: Range<Int>, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, average: Bool,
    height: Int, width: Int, channels: Int, outputHeight: Int, outputWidth: Int,
    window: (Int, Int), strides: (Int, Int), padding: (top: Int, left: Int)
) {
    for row in rows {
        let (n, y) = row.quotientAndRemainder(dividingBy: outputHeight)
        poolRow(
            input + n * height * width * channels, output + row * outputWidth * channels, y: y, average: average,
            height: height, width: width, channels: channels, outputWidth: outputWidth, window: window,
            strides: strides, padding: padding)
    }
}

/// Output row `y` of one image of `pool`.
@inline(__always)
private func poolRow(
    _ image: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, y: Int, average: Bool, height: Int,
    width: Int, channels: Int, outputWidth: Int, window: (Int, Int), strides: (Int, Int),
    padding: (top: Int, left: Int)
) {
    let top = max(y * strides.0 - padding.top, 0)
    let bottom = min(y * strides.0 - padding.top + window.0, height)
    for x in 0..<outputWidth {
        let left = max(x * strides.1 - padding.left, 0)
        let right = min(x * strides.1 - padding.left + window.1, width)
        let row = output + x * channels
        if channels % Lanes.scalarCount == 0 {
            poolPixel(image, row, average: average, width: width, channels: channels, top..<bottom, left..<right)
            continue
        }
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

/// One output pixel of `pool` over the window `rows` × `columns`, a vector of channels at a time:
/// the first cell's channels, then each other cell's folded in, in row-major order. A 2×2 window
/// (most pooling layers) takes one pass; others a pass per cell, the output pixel staying in the
/// first-level cache. (A one-pass 3×3 path cost a fifth of a second of compile time per model.)
@inline(__always)
private func poolPixel(
    _ image: UnsafePointer<Float>, _ row: UnsafeMutablePointer<Float>, average: Bool, width: Int, channels: Int,
    _ rows: Range<Int>, _ columns: Range<Int>
) {
    @inline(__always) func lanes(_ pointer: UnsafePointer<Float>) -> Lanes {
        UnsafeRawPointer(pointer).loadUnaligned(as: Lanes.self)
    }
    @inline(__always) func put(_ value: Lanes, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Lanes.self)
    }
    @inline(__always) func fold(_ value: Lanes, _ next: Lanes) -> Lanes {
        average ? value + next : value.replacing(with: next, where: next .> value)
    }
    let scale = Lanes(repeating: 1 / Float(rows.count * columns.count))
    @inline(__always) func done(_ value: Lanes) -> Lanes { average ? value * scale : value }
    let corner = image + (rows.lowerBound * width + columns.lowerBound) * channels
    let (down, across) = (width * channels, channels)
    if rows.count == 2 && columns.count == 2 {
        // The most common windows, whole in one pass.
        for c in stride(from: 0, to: channels, by: Lanes.scalarCount) {
            let top = fold(lanes(corner + c), lanes(corner + across + c))
            put(done(fold(fold(top, lanes(corner + down + c)), lanes(corner + down + across + c))), row + c)
        }
    } else {
        row.update(from: corner, count: channels)
        for iy in rows {
            for ix in columns where iy != rows.lowerBound || ix != columns.lowerBound {
                let cell = image + (iy * width + ix) * channels
                for c in stride(from: 0, to: channels, by: Lanes.scalarCount) {
                    put(fold(lanes(row + c), lanes(cell + c)), row + c)
                }
            }
        }
        if average {
            for c in stride(from: 0, to: channels, by: Lanes.scalarCount) { put(lanes(row + c) * scale, row + c) }
        }
    }
}

/// `global_avg_pool2d` and `global_max_pool2d`.
@inline(never)
package func globalPool(
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

/// `zero_padding2d`: each output row zeros, or an input row between zeros. Split across up to
/// `parts` threads by output rows.
@inline(never)
package func zeroPad(
    _ batch: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
    height: Int, width: Int, channels: Int, outputHeight: Int, outputWidth: Int, top: Int, left: Int, parts: Int = 1
) {
    let rows = batch * outputHeight
    let rowSize = outputWidth * channels
    let parts = partCount(available: parts, units: rows, work: rows * rowSize, minimum: minimumPassWork)
    inParallel(parts) { part in
        for row in share(part, of: parts, rows) {
            let (n, y) = row.quotientAndRemainder(dividingBy: outputHeight)
            let target = output + row * rowSize
            guard y >= top && y < top + height else {
                target.update(repeating: 0, count: rowSize)
                continue
            }
            let right = (left + width) * channels
            target.update(repeating: 0, count: left * channels)
            (target + left * channels).update(
                from: input + (n * height + y - top) * width * channels, count: width * channels)
            (target + right).update(repeating: 0, count: rowSize - right)
        }
    }
}

/// `batch_norm` that no convolution absorbed: x · scale + shift per channel (folded at load).
/// Split across up to `parts` threads by pixels.
@inline(never)
package func scaleShift(
    _ count: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, channels: Int,
    scale: UnsafePointer<Float>, shift: UnsafePointer<Float>, parts: Int = 1
) {
    let pixels = count / channels
    let parts = partCount(available: parts, units: pixels, work: count, minimum: minimumPassWork)
    inParallel(parts) { part in
        for pixel in share(part, of: parts, pixels) {
            let offset = pixel * channels
            for c in 0..<channels { output[offset + c] = input[offset + c] * scale[c] + shift[c] }
        }
    }
}

/// `add`: output = first + second; further inputs are added in place with `accumulate`. Both split
/// across up to `parts` threads by runs of elements.
@inline(never)
package func add(
    _ count: Int, _ first: UnsafePointer<Float>, _ second: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
    parts: Int = 1
) {
    let parts = partCount(available: parts, units: count, work: count, minimum: minimumPassWork)
    inParallel(parts) { part in
        for i in run(part, of: parts, count) { output[i] = first[i] + second[i] }
    }
}

@inline(never)
package func accumulate(
    _ count: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, parts: Int = 1
) {
    let parts = partCount(available: parts, units: count, work: count, minimum: minimumPassWork)
    inParallel(parts) { part in
        for i in run(part, of: parts, count) { output[i] += input[i] }
    }
}

/// One input of `concatenate`: its `width` channels of every pixel go to channels
/// `offset ..< offset + width` of an output `total` channels wide.
@inline(never)
package func copyChannels(
    _ pixels: Int, _ input: UnsafePointer<Float>, width: Int, _ output: UnsafeMutablePointer<Float>, total: Int,
    offset: Int
) {
    for pixel in 0..<pixels { (output + pixel * total + offset).update(from: input + pixel * width, count: width) }
}
