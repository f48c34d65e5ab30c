import Foundation

// MARK: Matrix product

#if CNNC_AVX512
    /// Columns of a packed weight panel, the register tile's width. AVX-512 has 32 registers of 16
    /// floats: a 6×32 tile's twelve accumulators keep both FMA units busy.
    package let panelWidth = 32
#else
    /// Columns of a packed weight panel, the register tile's width. AVX2 has 16 registers of 8
    /// floats and arm64 NEON 32 of 4: 6×16 (six SIMD16 accumulators, 12 or 24 registers) is the
    /// widest tile whose accumulators, weights and broadcast fit without spilling.
    package let panelWidth = 16
#endif
/// Rows of a register tile.
let tileRows = 6
/// Columns of a row tile (`rowTile`): four vectors, whatever the panel width.
let rowTileWidth = 64
/// Floats of weights above which a matrix product fetches its next panel ahead: 512 KB, half the
/// second-level cache of a core of most recent x86-64 CPUs (Zen 3's all of it). Smaller weights
/// stay in that cache beside a block of rows from one block to the next; 1 MB do not: fetched
/// ahead, MobileNet's 512×512 pointwise layers took 810–825 µs rather than 855–885 on AVX2, and
/// the whole model 3–5% less on AVX2 and AVX-512 (ResNet-50 1–2%, a 2-core Zen 5).
let prefetchThreshold = 1 << 17
/// Weight panels a row tile covers.
let panelsPerRowTile = rowTileWidth / panelWidth
/// The most rows left over at the end of a part that row tiles compute, one row at a time, rather
/// than a six-row tile with rows to spare.
let rowTileLimit = 3
/// Rows packed at once: the packed block stays in the L2 cache while every panel sweeps it.
let blockRows = 96
/// The most rows a block takes: the last block of a part takes the rest when it is at most a
/// quarter more than `blockRows`, rather than leave a few rows to sweep every weight panel again.
let largestBlock = blockRows + blockRows / 4

/// Floats of scratch a matrix product of depth K needs: `largestBlock` packed rows, then 16 floats
/// where partial vectors are staged and room for the sums of a tile (six rows of a panel) or of a
/// row tile (64) to wait for their store. The room is the widest panel's whatever this build's
/// panels are: `cnnc build` prints the sizes into a model that may be compiled with other flags.
package func scratchCount(depth: Int) -> Int { largestBlock * depth + 16 + tileRows * 32 }

/// Floats a kernel of `columns` columns takes packed (`packPanels`): whole panels.
package func packedCount(rows: Int, columns: Int) -> Int {
    (columns + panelWidth - 1) / panelWidth * panelWidth * rows
}

/// A kernel [rows, columns] (row-major) in panels of `panelWidth` columns, each panel `rows` runs
/// of `panelWidth` floats. `target` must be zeroed: the last panel's padding columns stay zero.
/// Never inlined, as `foldScaleShift`.
@inline(never)
package func packPanels(_ values: [Float], rows: Int, columns: Int, into target: UnsafeMutablePointer<Float>) {
    let panels = (columns + panelWidth - 1) / panelWidth
    for panel in 0..<panels {
        for row in 0..<rows {
            for column in panel * panelWidth..<min(columns, (panel + 1) * panelWidth) {
                target[(panel * rows + row) * panelWidth + column - panel * panelWidth] = values[row * columns + column]
            }
        }
    }
}

/// output[rows, columns] = finish(A · B): A from `source`, B packed in panels (`packPanels`),
/// blocked as GotoBLAS and ONNX Runtime's MLAS block it: rows are gathered `blockRows` at a time,
/// then each weight panel sweeps the whole block while it stays in cache, one 6-row tile at a
/// time. Each part of `scratch` (`scratchCount(depth:)` floats) holds the gathered rows and, after
/// them, the floats where partial tiles are staged. `bias` is padded to whole panels. A `residual`
/// is added after the bias, before the clamp (a residual connection folded in). Each tile names
/// the rows of `output` (and `residual`) its rows are: the first `rows` in order, or a
/// convolution's pixels whose windows lose the same taps to the padding (`Patches`).
///
/// A product large enough splits across `scratch.parts` threads, by row tiles or by weight panels,
/// whichever leaves the parts more even (a tile of six rows costs as much when it holds fewer, so a
/// late layer with few pixels and many filters splits by panels, a dense layer of one sample too).
/// Every output value is one tile's sum over the whole depth, the same whatever the split.
@inline(__always)
func multiply<Source: RowSource>(
    rows: Int, depth: Int, columns: Int, source: Source, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>,
    clamp: Clamp, residual: UnsafePointer<Float>? = nil, output: UnsafeMutablePointer<Float>, scratch: Scratch
) {
    let panels = (columns + panelWidth - 1) / panelWidth
    let tiles = (rows + tileRows - 1) / tileRows
    let parts = partCount(
        available: scratch.parts, units: max(tiles, panels), work: rows * depth * columns, minimum: minimumProductWork)
    // The tiles (or panels) the busiest part computes, times the panels (or tiles) each covers. Rows
    // unless panels are more than 5% better: split by panels, every part reads (and for a tile at
    // the border, gathers) all the rows.
    let byRows = (tiles + parts - 1) / parts * panels * 20 <= (panels + parts - 1) / parts * tiles * 21
    inParallel(parts) { part in
        let (tileRange, panelRange) =
            byRows ? (share(part, of: parts, tiles), 0..<panels) : (0..<tiles, share(part, of: parts, panels))
        multiplyPart(
            rows: tileRange.lowerBound * tileRows..<min(rows, tileRange.upperBound * tileRows), panels: panelRange,
            depth: depth, columns: columns, source: source, weights: weights, bias: bias, clamp: clamp,
            residual: residual, output: output, scratch: scratch.base + part * scratch.stride)
    }
}

/// The output rows `rows` and weight panels `panels` of `multiply`, on the calling thread, with
/// the tiles of a block in a temporary allocation on the stack.
@inline(__always)
func multiplyPart<Source: RowSource>(
    rows: Range<Int>, panels: Range<Int>, depth: Int, columns: Int, source: Source, weights: UnsafePointer<Float>,
    bias: UnsafePointer<Float>, clamp: Clamp, residual: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
    scratch: UnsafeMutablePointer<Float>
) {
    withUnsafeTemporaryAllocation(of: TileRows.self, capacity: largestBlock / tileRows) { tiles in
        multiplyBlocks(
            rows: rows, panels: panels, depth: depth, columns: columns, source: source, weights: weights, bias: bias,
            clamp: clamp, residual: residual, output: output, scratch: scratch, tiles: tiles.baseAddress!)
    }
}

/// `multiplyPart`'s work, block by block. Never inlined: `inParallel`, inlined, calls a one-part
/// body directly, and the compiler copied the whole product into each caller beside the closure
/// the threads call (MNIST's generated file compiled in 6.6 CPU-s with those copies, 4.3 without).
/// The copy inlined into a convolution whose every call passes relu had the clamp as a constant;
/// the tiles' stores are written so as not to need it (`wideTile`).
@inline(never)
private func multiplyBlocks<Source: RowSource>(
    rows: Range<Int>, panels: Range<Int>, depth: Int, columns: Int, source: Source, weights: UnsafePointer<Float>,
    bias: UnsafePointer<Float>, clamp: Clamp, residual: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
    scratch: UnsafeMutablePointer<Float>, tiles: UnsafeMutablePointer<TileRows>
) {
    let stage = scratch + largestBlock * depth
    var blockStart = rows.lowerBound
    while blockStart < rows.upperBound {
        let rest = rows.upperBound - blockStart
        let blockCount = rest <= largestBlock ? rest : blockRows
        var tileCount = (blockCount + tileRows - 1) / tileRows
        // A few rows left at the end (a 7×7 image's 49th pixel, a batch of one in a dense layer)
        // go to row tiles, which spend no multiply-adds on rows that are not there.
        let leftover = blockCount % tileRows
        let byRow = leftover > 0 && leftover <= rowTileLimit
        source.tiles(first: blockStart, count: blockCount, scratch: scratch, into: tiles)
        if byRow { tileCount -= 1 }
        for panel in panels {
            let live = min(panelWidth, columns - panel * panelWidth)
            let b = weights + panel * depth * panelWidth
            // While this panel's tiles after the first run, the next panel this part sweeps (the
            // first again if another block follows) is fetched toward the cache, a share per tile
            // spread over its weight rows, so that its first tile does not wait on memory: the
            // weights of a late ResNet layer (4 to 9 MB) come from memory on every image.
            let next =
                panel + 1 < panels.upperBound
                ? panel + 1 : blockStart + blockCount < rows.upperBound ? panels.lowerBound : panel
            let fetching = next != panel && tileCount > 1 && depth * columns > prefetchThreshold
            let step = fetching ? (depth * panelWidth + (tileCount - 1) * depth - 1) / ((tileCount - 1) * depth) : 0
            let (c, r) = (output + panel * panelWidth, residual.map { $0 + panel * panelWidth })
            for index in 0..<tileCount {
                let row = blockStart + index * tileRows
                let (a, count, panelBias) = (
                    tiles[index], min(tileRows, rows.upperBound - row), bias + panel * panelWidth
                )
                let ahead =
                    fetching && index > 0
                    ? Ahead(weights + next * depth * panelWidth + (index - 1) * step * depth, step)
                    : Ahead(b, 0)
                // One call of each tile, not one per kind of rows: every call is a copy of the
                // tile's code to compile.
                let runs = source.runs(of: a)
                let start = b + runs.weightOffset * panelWidth
                #if CNNC_AVX512
                    if live > 16 {
                        wideTile(a, runs, start, c, columns, count, live, panelBias, clamp, r, stage, ahead)
                        continue
                    }
                #endif
                narrowTile(a, runs, start, c, columns, count, live, panelBias, clamp, r, stage, ahead)
            }
            // The rows left over, once a group of panels a row tile covers is done: its weights
            // are still in cache.
            let group = (panel - panels.lowerBound) / panelsPerRowTile
            if byRow && (panel + 1 == panels.upperBound || (panel + 1 - panels.lowerBound) % panelsPerRowTile == 0) {
                let a = tiles[tileCount]
                let column = (panels.lowerBound + group * panelsPerRowTile) * panelWidth
                let end = min(columns, (panel + 1) * panelWidth)
                rowTiles(
                    a, leftover, source.runs(of: a), weights, depth, column, end, output, columns, bias, clamp,
                    residual, stage)
            }
        }
        blockStart += blockCount
    }
}

/// The first `count` rows of `tile` (at most three), each by `rowTileWidth` columns from `column`
/// on, in four accumulators: four independent chains per weight row where a six-row tile holding
/// one row would run twelve chains for two rows' worth of work. Columns at or past `end` are
/// computed from the last panel again and not stored. Each output is the same sum, in the same
/// order, as a six-row tile computes. The loop over the rows is inside the call, so that no vector
/// stays live around it.
@inline(never)
private func rowTiles(
    _ tile: TileRows, _ count: Int, _ runs: Runs, _ weights: UnsafePointer<Float>, _ depth: Int, _ column: Int,
    _ end: Int, _ output: UnsafeMutablePointer<Float>, _ columns: Int, _ bias: UnsafePointer<Float>,
    _ clamp: Clamp, _ residual: UnsafePointer<Float>?, _ stage: UnsafeMutablePointer<Float>
) {
    for row in 0..<count {
        let (start, c) = (row == 0 ? tile.r0 : row == 1 ? tile.r1 : tile.r2, output + tile.output(row) * columns)
        rowTile(
            start, runs, weights, depth, column, end, c, bias, clamp, residual.map { $0 + tile.output(row) * columns },
            stage)
    }
}

/// One row of `rowTiles`.
@inline(__always)
private func rowTile(
    _ a: UnsafePointer<Float>, _ runs: Runs, _ weights: UnsafePointer<Float>, _ depth: Int, _ column: Int,
    _ end: Int, _ c: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, _ clamp: Clamp,
    _ residual: UnsafePointer<Float>?, _ stage: UnsafeMutablePointer<Float>
) {
    // Where the weights of columns `first ..< first + 16` start: their panel, then the offset in it.
    @inline(__always) func panel(_ first: Int) -> UnsafePointer<Float> {
        let first = min(first, end - 1) / 16 * 16
        return weights + first / panelWidth * depth * panelWidth + first % panelWidth + runs.weightOffset * panelWidth
    }
    let starts = (panel(column), panel(column + 16), panel(column + 32), panel(column + 48))
    var c0 = Vector()
    var c1 = Vector()
    var c2 = Vector()
    var c3 = Vector()
    for segment in 0..<runs.segments {
        let a = a + segment * runs.gap
        let skip = segment * runs.weightGap * panelWidth
        var (b0, b1, b2, b3) = (starts.0 + skip, starts.1 + skip, starts.2 + skip, starts.3 + skip)
        for k in 0..<runs.length {
            let x = Vector(repeating: a[k])
            multiplyAdd(&c0, x, load(b0))
            multiplyAdd(&c1, x, load(b1))
            multiplyAdd(&c2, x, load(b2))
            multiplyAdd(&c3, x, load(b3))
            b0 += panelWidth
            b1 += panelWidth
            b2 += panelWidth
            b3 += panelWidth
        }
    }
    // The four sums go through scratch, so that one copy of the store's code serves them all: a
    // copy per vector, inlined into every matrix product, cost a second of compile time a model.
    let sums = stage + 16
    store(c0, sums)
    store(c1, sums + 16)
    store(c2, sums + 32)
    store(c3, sums + 48)
    for offset in stride(from: 0, to: min(rowTileWidth, end - column), by: 16) {
        let first = column + offset
        let live = min(16, end - first)
        storeFinished(
            sums + offset, bias + first, clamp, adding: residual.map { $0 + first }, into: c + first, count: live,
            stage: stage)
    }
}

/// Weights a tile fetches toward the cache as it runs: from `pointer` on, `step` floats further
/// for each weight row it reads (0: the tile's own panel, in cache already).
struct Ahead {
    let pointer: UnsafePointer<Float>
    let step: Int

    @inline(__always)
    init(_ pointer: UnsafePointer<Float>, _ step: Int) {
        self.pointer = pointer
        self.step = step
    }
}

#if CNNC_AVX512
    /// Six rows by 32 columns in twelve accumulators: AVX-512 builds only, whose panels are 32
    /// wide; the others do not compile it.
    @inline(__always)
    private func wideTile(
        _ a: TileRows, _ runs: Runs, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ columns: Int,
        _ rows: Int, _ live: Int, _ bias: UnsafePointer<Float>, _ clamp: Clamp, _ residual: UnsafePointer<Float>?,
        _ stage: UnsafeMutablePointer<Float>, _ ahead: Ahead
    ) {
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
        var fetch = ahead.pointer
        for segment in 0..<runs.segments {
            let offset = segment * runs.gap
            let (a0, a1, a2) = (a.r0 + offset, a.r1 + offset, a.r2 + offset)
            let (a3, a4, a5) = (a.r3 + offset, a.r4 + offset, a.r5 + offset)
            var b = b + segment * runs.weightGap * panelWidth
            for k in 0..<runs.length {
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
                prefetch(fetch)
                fetch += ahead.step
            }
        }
        if residual == nil && live == panelWidth {
            // The common case, a whole panel and no residual, stored here with the clamp made vectors
            // once (`VectorClamp`). Other stores go through `storeTile`.
            let finished = VectorClamp(clamp)
            @inline(__always) func put(_ row: Int, _ output: Int, _ left: Vector, _ right: Vector) {
                guard row < rows else { return }
                let target = c + output &* columns
                store(finished.apply(left, bias), target)
                store(finished.apply(right, bias + 16), target + 16)
            }
            put(0, a.o0, c00, c01)
            put(1, a.o1, c10, c11)
            put(2, a.o2, c20, c21)
            put(3, a.o3, c30, c31)
            put(4, a.o4, c40, c41)
            put(5, a.o5, c50, c51)
            return
        }
        let sums = stage + 16
        store(c00, sums)
        store(c01, sums + 16)
        store(c10, sums + 32)
        store(c11, sums + 48)
        store(c20, sums + 64)
        store(c21, sums + 80)
        store(c30, sums + 96)
        store(c31, sums + 112)
        store(c40, sums + 128)
        store(c41, sums + 144)
        store(c50, sums + 160)
        store(c51, sums + 176)
        storeTile(sums, a, rows, c, columns, live, bias, clamp, residual, stage)
    }
#endif

/// Six rows by at most 16 columns: a whole 16-wide panel, or the first half of a 32-wide one.
@inline(__always)
private func narrowTile(
    _ a: TileRows, _ runs: Runs, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ columns: Int,
    _ rows: Int, _ live: Int, _ bias: UnsafePointer<Float>, _ clamp: Clamp, _ residual: UnsafePointer<Float>?,
    _ stage: UnsafeMutablePointer<Float>, _ ahead: Ahead
) {
    var c0 = Vector()
    var c1 = Vector()
    var c2 = Vector()
    var c3 = Vector()
    var c4 = Vector()
    var c5 = Vector()
    var fetch = ahead.pointer
    for segment in 0..<runs.segments {
        let offset = segment * runs.gap
        let (a0, a1, a2) = (a.r0 + offset, a.r1 + offset, a.r2 + offset)
        let (a3, a4, a5) = (a.r3 + offset, a.r4 + offset, a.r5 + offset)
        var b = b + segment * runs.weightGap * panelWidth
        for k in 0..<runs.length {
            let b0 = load(b)
            multiplyAdd(&c0, Vector(repeating: a0[k]), b0)
            multiplyAdd(&c1, Vector(repeating: a1[k]), b0)
            multiplyAdd(&c2, Vector(repeating: a2[k]), b0)
            multiplyAdd(&c3, Vector(repeating: a3[k]), b0)
            multiplyAdd(&c4, Vector(repeating: a4[k]), b0)
            multiplyAdd(&c5, Vector(repeating: a5[k]), b0)
            b += panelWidth
            prefetch(fetch)
            fetch += ahead.step
        }
    }
    if residual == nil && live == panelWidth {
        // The common case, as `wideTile` stores it.
        let finished = VectorClamp(clamp)
        @inline(__always) func put(_ row: Int, _ output: Int, _ sums: Vector) {
            guard row < rows else { return }
            store(finished.apply(sums, bias), c + output &* columns)
        }
        put(0, a.o0, c0)
        put(1, a.o1, c1)
        put(2, a.o2, c2)
        put(3, a.o3, c3)
        put(4, a.o4, c4)
        put(5, a.o5, c5)
        return
    }
    let sums = stage + 16
    store(c0, sums)
    store(c1, sums + panelWidth)
    store(c2, sums + 2 * panelWidth)
    store(c3, sums + 3 * panelWidth)
    store(c4, sums + 4 * panelWidth)
    store(c5, sums + 5 * panelWidth)
    storeTile(sums, a, rows, c, columns, live, bias, clamp, residual, stage)
}

/// Stores a tile's first `rows` rows by `live` columns from their sums (`panelWidth` floats a row
/// at `sums`) where a residual is added or the panel is partial: bias, residual and clamp
/// (`finish`), then the output rows the tile names. The tiles store the common case, a whole panel
/// and no residual, themselves; with a residual among their stores, MNIST's (which has none) ran
/// 10% slower. One function rather than each tile's twelve or six stores inlined: it compiles
/// faster, and in a function as large as the matrix product the compiler splits an inlined
/// `finish` into quarter vectors where the clamp is not a constant.
@inline(never)
private func storeTile(
    _ sums: UnsafeMutablePointer<Float>, _ a: TileRows, _ rows: Int, _ c: UnsafeMutablePointer<Float>,
    _ columns: Int, _ live: Int, _ bias: UnsafePointer<Float>, _ clamp: Clamp, _ residual: UnsafePointer<Float>?,
    _ stage: UnsafeMutablePointer<Float>
) {
    for row in 0..<rows {
        let offset = a.output(row) * columns
        for first in stride(from: 0, to: live, by: 16) {
            storeFinished(
                sums + row * panelWidth + first, bias + first, clamp, adding: residual.map { $0 + offset + first },
                into: c + offset + first, count: min(16, live - first), stage: stage)
        }
    }
}

/// `count` outputs (at most 16) finished from their sums at `sums` (`finish`: the bias, a residual,
/// the clamp) and stored at `target`: the store of `storeTile` and of a row tile.
@inline(__always)
private func storeFinished(
    _ sums: UnsafePointer<Float>, _ bias: UnsafePointer<Float>, _ clamp: Clamp, adding residual: UnsafePointer<Float>?,
    into target: UnsafeMutablePointer<Float>, count: Int, stage: UnsafeMutablePointer<Float>
) {
    let value = finish(load(sums), bias, clamp, adding: residual, count: count, stage: stage)
    if count == 16 {
        store(value, target)
    } else {
        storePart(value, target, count, stage)
    }
}
