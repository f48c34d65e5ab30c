import Foundation

// MARK: Winograd convolution

/// Output tiles (2×2 pixels each) a part of `winogradConvolution` transforms and multiplies at
/// once: the blocked product's block of rows, so that its 16 products each sweep their weights once
/// per block, as the direct convolution's does per block of pixels.
let winogradChunk = blockRows

/// Whether `convolution` computes a 3×3 convolution by Winograd's minimal filtering F(2×2, 3×3)
/// (Lavin and Gray, 2015): stride 1, no dilation, whole vectors of input and output channels,
/// and an output whose 2×2 tiles waste at most a fifth of their pixels (a 7×7 image's 4×4 tiles
/// hold 64 pixels for 49). Each 2×2 block of outputs then takes 16 multiply-adds per input
/// channel and filter where the direct sum takes 36, in 16 matrix products of depth `channels`.
/// The values differ from the direct sum's by rounding only (the transforms' coefficients are 0,
/// ±1 and ±½). The same on every instruction set, so `cnnc build` sizes the weights as the
/// compiled model packs them.
package func usesWinograd(
    channels: Int, filters: Int, outputHeight: Int, outputWidth: Int, kernel: (Int, Int), strides: (Int, Int),
    dilation: (Int, Int)
) -> Bool {
    guard kernel == (3, 3), strides == (1, 1), dilation == (1, 1), channels % 16 == 0, filters % 16 == 0 else {
        return false
    }
    let covered = (outputHeight + 1) / 2 * 2 * ((outputWidth + 1) / 2 * 2)
    return outputHeight * outputWidth * 5 >= covered * 4
}

/// Floats the transformed kernel takes (`packWinograd`): 16 matrices [channels, filters] in whole
/// panels of the widest panel width, whatever this build's.
package func winogradPackedCount(channels: Int, filters: Int) -> Int {
    16 * ((filters + 31) / 32 * 32) * channels
}

/// Floats of scratch a part of `winogradConvolution` takes: the transformed input and the
/// products of a chunk of tiles, a zero bias, a window's copy, and the matrix product's own scratch.
package func winogradScratchCount(channels: Int, filters: Int) -> Int {
    16 * winogradChunk * (channels + filters) + (filters + 31) / 32 * 32 + 256 + scratchCount(depth: channels)
}

/// A 3×3 kernel [3, 3, channels, filters] (row-major) as Winograd's 16 matrices U = G·g·Gᵀ, one
/// per point of the 4×4 transformed tile, each [channels, filters] in panels (`packPanels`), one
/// after the other `winogradPackedCount / 16` floats apart. Computed in double precision. Never
/// inlined, as `packPanels`.
@inline(never)
package func packWinograd(_ kernel: [Float], channels: Int, filters: Int, into target: UnsafeMutablePointer<Float>) {
    // U[i][j] = Σ G[i][a]·g[a][b]·G[j][b]: point (i, j) takes tap (a, b) times G[i][a]·G[j][b].
    let g: [Double] = [1, 0, 0, 0.5, 0.5, 0.5, 0.5, -0.5, 0.5, 0, 0, 1]
    let (size, stride) = (channels * filters, winogradPackedCount(channels: channels, filters: filters) / 16)
    var sums = [Double](repeating: 0, count: size)
    var point = [Float](repeating: 0, count: size)
    for i in 0..<4 {
        for j in 0..<4 {
            for index in 0..<size { sums[index] = 0 }
            for a in 0..<3 {
                for b in 0..<3 where g[3 * i + a] * g[3 * j + b] != 0 {
                    let (weight, tap) = (g[3 * i + a] * g[3 * j + b], (3 * a + b) * size)
                    for index in 0..<size { sums[index] += weight * Double(kernel[tap + index]) }
                }
            }
            for index in 0..<size { point[index] = Float(sums[index]) }
            packPanels(point, rows: channels, columns: filters, into: target + (4 * i + j) * stride)
        }
    }
}

/// `conv2d` 3×3, stride 1, by F(2×2, 3×3) (`usesWinograd`), weights from `packWinograd`. The
/// output's 2×2 tiles are taken `winogradChunk` at a time: each tile's 4×4 input window becomes
/// V = Bᵀ·d·B (16 rows of channels), then the 16 products M = V·U run as blocked matrix products,
/// then each tile's outputs are Aᵀ·M·A, bias, residual and clamp fused into the store; the
/// pixels of a tile past the output's edge are not stored. A layer splits across threads by
/// chunks; each output is computed by one tile, the same whatever the split.
@inline(never)
func winogradConvolution(
    _ batch: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, height: Int, width: Int,
    channels: Int, outputHeight: Int, outputWidth: Int, filters: Int, padding: (top: Int, left: Int),
    weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, clamp: Clamp, residual: UnsafePointer<Float>?,
    scratch: Scratch
) {
    let (down, across) = ((outputHeight + 1) / 2, (outputWidth + 1) / 2)
    let tiles = batch * down * across
    let parts = partCount(
        available: scratch.parts, units: (tiles + tileRows - 1) / tileRows, work: tiles * 16 * channels * filters,
        minimum: minimumProductWork)
    // Chunks of at most `winogradChunk` tiles, small enough that every part gets work.
    let perPart = (tiles + parts - 1) / parts
    let chunk = min(winogradChunk, (perPart + tileRows - 1) / tileRows * tileRows)
    let chunks = (tiles + chunk - 1) / chunk
    let matrixStride = winogradPackedCount(channels: channels, filters: filters) / 16
    let zeroCount = (filters + 31) / 32 * 32
    let geometry = WinogradGeometry(
        height: height, width: width, channels: channels, outputHeight: outputHeight, outputWidth: outputWidth,
        filters: filters, down: down, across: across, padTop: padding.top, padLeft: padding.left)
    inParallel(parts) { part in
        let transformed = scratch.base + part * scratch.stride
        let products = transformed + 16 * winogradChunk * channels
        let zeros = products + 16 * winogradChunk * filters
        let window = zeros + zeroCount
        let productScratch = window + 256
        zeros.update(repeating: 0, count: zeroCount)
        for index in share(part, of: parts, chunks) {
            let first = index * chunk
            let count = min(chunk, tiles - first)
            transformInput(geometry, input, first: first, count: count, window: window, into: transformed)
            for point in 0..<16 {
                multiplyPart(
                    rows: 0..<count, panels: 0..<(filters + panelWidth - 1) / panelWidth, depth: channels,
                    columns: filters,
                    source: MatrixRows(
                        start: transformed + point * channels, depth: channels, rowStride: 16 * channels),
                    weights: weights + point * matrixStride, bias: zeros, clamp: .none, residual: nil,
                    output: products + point * count * filters, scratch: productScratch)
            }
            transformOutput(
                geometry, products, first: first, count: count, output: output, bias: bias, clamp: clamp,
                residual: residual)
        }
    }
}

/// The sizes `winogradConvolution`'s transforms take: the layer's, and its tiles down and across an image.
struct WinogradGeometry {
    let height, width, channels, outputHeight, outputWidth, filters, down, across, padTop, padLeft: Int
}

/// Tiles `first ..< first + count` as V = Bᵀ·d·B, Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]:
/// point p of tile t at `target + (16 · t + p) · channels`, so that a tile's stores run along
/// memory. A window inside the image is read in place; one the image's edge cuts is first copied,
/// 16 channels at a time, with zeros outside the image.
@inline(never)
private func transformInput(
    _ g: WinogradGeometry, _ input: UnsafePointer<Float>, first: Int, count: Int, window: UnsafeMutablePointer<Float>,
    into target: UnsafeMutablePointer<Float>
) {
    let pointStride = g.channels
    let (row, column) = (g.width * g.channels, g.channels)
    for t in 0..<count {
        let (image, place) = (first + t).quotientAndRemainder(dividingBy: g.down * g.across)
        let (tileRow, tileColumn) = place.quotientAndRemainder(dividingBy: g.across)
        let (top, left) = (2 * tileRow - g.padTop, 2 * tileColumn - g.padLeft)
        let origin = input + ((image * g.height + top) * g.width + left) * g.channels
        let out = target + 16 * t * g.channels
        let inside = top >= 0 && top + 4 <= g.height && left >= 0 && left + 4 <= g.width
        let rows = max(0, -top)..<min(4, g.height - top)
        let columns = max(0, -left)..<min(4, g.width - left)
        for c in stride(from: 0, to: g.channels, by: 16) {
            var (d, rowStep, columnStep) = (origin + c, row, column)
            if !inside {
                window.update(repeating: 0, count: 16 * 16)
                for y in rows {
                    for x in columns { store(load(d + y * row + x * column), window + (4 * y + x) * 16) }
                }
                (d, rowStep, columnStep) = (UnsafePointer(window), 64, 16)
            }
            // One call, so one copy of the transform to compile.
            transformWindow(d, rowStep, columnStep, out + c, pointStride)
        }
    }
}

/// One window's 16 channels from `d` (cell (y, x) at `d + y · row + x · column`) as V = Bᵀ·d·B,
/// point p at `out + p · pointStride`; a register's channels at a time.
@inline(__always)
private func transformWindow(
    _ d: UnsafePointer<Float>, _ row: Int, _ column: Int, _ out: UnsafeMutablePointer<Float>, _ pointStride: Int
) {
    for c in stride(from: 0, to: 16, by: Lanes.scalarCount) {
        @inline(__always) func cell(_ y: Int, _ x: Int) -> Lanes { lanes(d + y * row + x * column + c) }
        // Bᵀ·d column by column, then each row of that by B.
        let c0 = winogradInput(cell(0, 0), cell(1, 0), cell(2, 0), cell(3, 0))
        let c1 = winogradInput(cell(0, 1), cell(1, 1), cell(2, 1), cell(3, 1))
        let c2 = winogradInput(cell(0, 2), cell(1, 2), cell(2, 2), cell(3, 2))
        let c3 = winogradInput(cell(0, 3), cell(1, 3), cell(2, 3), cell(3, 3))
        @inline(__always) func put(_ row: Int, _ v: (Lanes, Lanes, Lanes, Lanes)) {
            let p = out + 4 * row * pointStride + c
            storeLanes(v.0, p)
            storeLanes(v.1, p + pointStride)
            storeLanes(v.2, p + 2 * pointStride)
            storeLanes(v.3, p + 3 * pointStride)
        }
        put(0, winogradInput(c0.0, c1.0, c2.0, c3.0))
        put(1, winogradInput(c0.1, c1.1, c2.1, c3.1))
        put(2, winogradInput(c0.2, c1.2, c2.2, c3.2))
        put(3, winogradInput(c0.3, c1.3, c2.3, c3.3))
    }
}

/// Bᵀ·(d0, d1, d2, d3).
@inline(__always)
private func winogradInput(_ d0: Lanes, _ d1: Lanes, _ d2: Lanes, _ d3: Lanes) -> (Lanes, Lanes, Lanes, Lanes) {
    (d0 - d2, d1 + d2, d2 - d1, d1 - d3)
}

/// Aᵀ·(m0, m1, m2, m3).
@inline(__always)
private func winogradOutput(_ m0: Lanes, _ m1: Lanes, _ m2: Lanes, _ m3: Lanes) -> (Lanes, Lanes) {
    (m0 + m1 + m2, m1 - m2 - m3)
}

/// Each tile's outputs from its 16 products (point p of tile t at `products + (p · count + t) ·
/// filters`) as Aᵀ·M·A, Aᵀ = [1 1 1 0; 0 1 -1 -1], then bias, residual and clamp as `finish`
/// applies them; the pixels past the output's edge are not stored. A register's filters at a
/// time, M's rows one by one (M·A), summed into the output's two rows as they come (Aᵀ·): six
/// registers live, which AVX2's sixteen hold.
@inline(never)
private func transformOutput(
    _ g: WinogradGeometry, _ products: UnsafePointer<Float>, first: Int, count: Int,
    output: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, clamp: Clamp, residual: UnsafePointer<Float>?
) {
    let pointStride = count * g.filters
    let (slope, high) = (Lanes(repeating: clamp.slope), Lanes(repeating: clamp.high))
    for t in 0..<count {
        let (image, place) = (first + t).quotientAndRemainder(dividingBy: g.down * g.across)
        let (tileRow, tileColumn) = place.quotientAndRemainder(dividingBy: g.across)
        let (y, x) = (2 * tileRow, 2 * tileColumn)
        let (right, below) = (x + 1 < g.outputWidth, y + 1 < g.outputHeight)
        let pixel = (image * g.outputHeight + y) * g.outputWidth + x
        let m = products + t * g.filters
        for f in stride(from: 0, to: g.filters, by: Lanes.scalarCount) {
            @inline(__always) func row(_ r: Int) -> (Lanes, Lanes) {
                let p = m + 4 * r * pointStride + f
                return winogradOutput(
                    lanes(p), lanes(p + pointStride), lanes(p + 2 * pointStride), lanes(p + 3 * pointStride))
            }
            let r0 = row(0)
            let r1 = row(1)
            var upper = (r0.0 + r1.0, r0.1 + r1.1)
            var lower = r1
            let r2 = row(2)
            upper = (upper.0 + r2.0, upper.1 + r2.1)
            lower = (lower.0 - r2.0, lower.1 - r2.1)
            let r3 = row(3)
            lower = (lower.0 - r3.0, lower.1 - r3.1)
            let b = lanes(bias + f)
            @inline(__always) func put(_ value: Lanes, _ offset: Int) {
                let at = (pixel + offset) * g.filters + f
                var value = value + b
                if let residual { value += lanes(residual + at) }
                // `clamped` on `Lanes`, the slope and cap made vectors once: depthwise's form, which
                // takes them as floats, left a call and spills here on AVX-512.
                let scaled = value * slope
                let larger = value.replacing(with: scaled, where: scaled .> value)
                storeLanes(larger.replacing(with: high, where: larger .> high), output + at)
            }
            put(upper.0, 0)
            if right { put(upper.1, 1) }
            if below {
                put(lower.0, g.outputWidth)
                if right { put(lower.1, g.outputWidth + 1) }
            }
        }
    }
}
