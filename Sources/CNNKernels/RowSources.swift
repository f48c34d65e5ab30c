import Foundation

// MARK: Rows of a matrix product

/// Where the six rows of the left operand one tile reads start, and which output rows they are.
/// Read in place, each row is `Runs.segments` runs of `length` floats, `gap` floats apart (a
/// convolution window, a run per kernel row); packed, it was copied to scratch. Rows past a partial
/// tile's count repeat its first.
struct TileRows {
    var r0, r1, r2, r3, r4, r5: UnsafePointer<Float>
    var packed: Bool
    var o0, o1, o2, o3, o4, o5: Int

    /// A tile whose six rows all start at `start` and are output row `output`.
    @inline(__always)
    init(repeating start: UnsafePointer<Float>, output: Int, packed: Bool) {
        (r0, r1, r2, r3, r4, r5, self.packed) = (start, start, start, start, start, start, packed)
        (o0, o1, o2, o3, o4, o5) = (output, output, output, output, output, output)
    }

    init(
        r0: UnsafePointer<Float>, r1: UnsafePointer<Float>, r2: UnsafePointer<Float>, r3: UnsafePointer<Float>,
        r4: UnsafePointer<Float>, r5: UnsafePointer<Float>, packed: Bool, o0: Int, o1: Int, o2: Int, o3: Int,
        o4: Int, o5: Int
    ) {
        (self.r0, self.r1, self.r2, self.r3, self.r4, self.r5, self.packed) = (r0, r1, r2, r3, r4, r5, packed)
        (self.o0, self.o1, self.o2, self.o3, self.o4, self.o5) = (o0, o1, o2, o3, o4, o5)
    }

    /// Row `row` starts at `start` and is output row `output`; row 0 sets every row, so that the
    /// rows a partial tile does not reach repeat its first.
    @inline(__always)
    mutating func set(_ row: Int, _ start: UnsafePointer<Float>, _ output: Int) {
        switch row {
        case 0: self = TileRows(repeating: start, output: output, packed: packed)
        case 1: (r1, o1) = (start, output)
        case 2: (r2, o2) = (start, output)
        case 3: (r3, o3) = (start, output)
        case 4: (r4, o4) = (start, output)
        default: (r5, o5) = (start, output)
        }
    }

    /// The output row of tile row `row`.
    @inline(__always)
    func output(_ row: Int) -> Int {
        switch row {
        case 0: o0
        case 1: o1
        case 2: o2
        case 3: o3
        case 4: o4
        default: o5
        }
    }
}

/// How a tile reads its rows and the weights: `segments` runs of `length` floats, `gap` floats
/// apart, against the weight rows from `weightOffset` on, each run's first `weightGap` rows after
/// the one before. A convolution whose windows lose kernel taps to the padding skips those taps'
/// weight rows this way.
struct Runs {
    let segments, length, gap, weightOffset, weightGap: Int
}

/// The left operand of a matrix product, `tileRows` rows at a time. The run geometry is the
/// source's, not each tile's, so that it stays a constant the tile loops unroll by.
protocol RowSource {
    /// The runs of a tile read in place.
    var inPlace: Runs { get }
    /// The runs of a tile copied to scratch.
    var packed: Runs { get }
    /// The tiles of rows `first ..< first + count`, `tileRows` rows each but the last, into
    /// `tiles`; a tile that must be copied is copied to `scratch + index · tileRows · depth`.
    func tiles(first: Int, count: Int, scratch: UnsafeMutablePointer<Float>, into tiles: UnsafeMutablePointer<TileRows>)
}

extension RowSource {
    /// The run geometry of tile `a`'s rows.
    @inline(__always)
    func runs(of a: TileRows) -> Runs { a.packed ? packed : inPlace }
}

/// Rows `depth` apart from `start`, output rows from `output` on; rows past `count` repeat row 0.
@inline(__always)
private func rowsFrom(_ start: UnsafePointer<Float>, count: Int, depth: Int, packed: Bool, output: Int) -> TileRows {
    func row(_ r: Int) -> UnsafePointer<Float> { start + (r < count ? r : 0) * depth }
    func out(_ r: Int) -> Int { output + (r < count ? r : 0) }
    return TileRows(
        r0: row(0), r1: row(1), r2: row(2), r3: row(3), r4: row(4), r5: row(5), packed: packed, o0: out(0),
        o1: out(1), o2: out(2), o3: out(3), o4: out(4), o5: out(5))
}

/// A row-major matrix read in place, its rows `rowStride` floats apart (`depth` unless the rows of
/// several matrices are interleaved, as Winograd's transformed tiles are).
struct MatrixRows: RowSource {
    let start: UnsafePointer<Float>
    let depth: Int
    let rowStride: Int

    @inline(__always)
    init(start: UnsafePointer<Float>, depth: Int, rowStride: Int? = nil) {
        (self.start, self.depth, self.rowStride) = (start, depth, rowStride ?? depth)
    }

    var inPlace: Runs { Runs(segments: 1, length: depth, gap: 0, weightOffset: 0, weightGap: depth) }
    var packed: Runs { inPlace }

    @inline(__always)
    func tiles(
        first: Int, count: Int, scratch: UnsafeMutablePointer<Float>, into tiles: UnsafeMutablePointer<TileRows>
    ) {
        for (index, row) in stride(from: first, to: first + count, by: tileRows).enumerated() {
            tiles[index] = rowsFrom(
                start + row * rowStride, count: min(tileRows, first + count - row), depth: rowStride, packed: false,
                output: row)
        }
    }
}

/// The image patches of a convolution, in the kernel's [kh, kw, in] order, for the output pixels
/// of one area of every image (`outputRows` × `outputColumns`, row by row; the whole output unless
/// the convolution is split by padding), each window cut to the kernel taps `tapRows` ×
/// `tapColumns` (all of them unless the area's windows lose the others to the padding, which are
/// then skipped rather than multiplied as zeros). A tile whose windows all lie inside the image
/// reads them in place, a run of taps · in floats per kernel row; a tile that touches the padding
/// is copied (im2col) with zeros outside the image.
struct Patches: RowSource {
    let input: UnsafePointer<Float>
    let height, width, channels, outputHeight, outputWidth: Int
    let kernelHeight, kernelWidth, strideHeight, strideWidth, dilationHeight, dilationWidth: Int
    let padTop, padLeft: Int
    let outputRows, outputColumns, tapRows, tapColumns: Range<Int>

    init(
        input: UnsafePointer<Float>, height: Int, width: Int, channels: Int, outputHeight: Int, outputWidth: Int,
        kernelHeight: Int, kernelWidth: Int, strideHeight: Int, strideWidth: Int, dilationHeight: Int,
        dilationWidth: Int, padTop: Int, padLeft: Int, outputRows: Range<Int>? = nil,
        outputColumns: Range<Int>? = nil, tapRows: Range<Int>? = nil, tapColumns: Range<Int>? = nil
    ) {
        (self.input, self.height, self.width, self.channels) = (input, height, width, channels)
        (self.outputHeight, self.outputWidth) = (outputHeight, outputWidth)
        (self.kernelHeight, self.kernelWidth, self.strideHeight, self.strideWidth) = (
            kernelHeight, kernelWidth, strideHeight, strideWidth
        )
        (self.dilationHeight, self.dilationWidth, self.padTop, self.padLeft) = (
            dilationHeight, dilationWidth, padTop, padLeft
        )
        self.outputRows = outputRows ?? 0..<outputHeight
        self.outputColumns = outputColumns ?? 0..<outputWidth
        self.tapRows = tapRows ?? 0..<kernelHeight
        self.tapColumns = tapColumns ?? 0..<kernelWidth
    }

    /// The patches of a whole convolution, its window given as `convolution` takes it.
    init(
        _ input: UnsafePointer<Float>, height: Int, width: Int, channels: Int, outputHeight: Int, outputWidth: Int,
        kernel: (Int, Int), strides: (Int, Int), dilation: (Int, Int), padding: (top: Int, left: Int)
    ) {
        self.init(
            input: input, height: height, width: width, channels: channels, outputHeight: outputHeight,
            outputWidth: outputWidth, kernelHeight: kernel.0, kernelWidth: kernel.1, strideHeight: strides.0,
            strideWidth: strides.1, dilationHeight: dilation.0, dilationWidth: dilation.1, padTop: padding.top,
            padLeft: padding.left)
    }

    /// These patches for the output pixels `rows` × `columns` only, their windows cut to the taps
    /// `tapRows` × `tapColumns`.
    func area(rows: Range<Int>, columns: Range<Int>, tapRows: Range<Int>, tapColumns: Range<Int>) -> Patches {
        Patches(
            input: input, height: height, width: width, channels: channels, outputHeight: outputHeight,
            outputWidth: outputWidth, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
            strideHeight: strideHeight, strideWidth: strideWidth, dilationHeight: dilationHeight,
            dilationWidth: dilationWidth, padTop: padTop, padLeft: padLeft, outputRows: rows, outputColumns: columns,
            tapRows: tapRows, tapColumns: tapColumns)
    }

    /// Product rows a batch of `batch` images has: its area's pixels.
    func rows(batch: Int) -> Int { batch * outputRows.count * outputColumns.count }

    var inPlace: Runs {
        Runs(
            segments: tapRows.count, length: tapColumns.count * channels, gap: dilationHeight * width * channels,
            weightOffset: (tapRows.lowerBound * kernelWidth + tapColumns.lowerBound) * channels,
            weightGap: kernelWidth * channels)
    }

    /// A whole window is one run of the whole depth; a cut one a run per kernel row, back to back.
    var packed: Runs {
        let depth = kernelHeight * kernelWidth * channels
        if tapRows.count == kernelHeight && tapColumns.count == kernelWidth {
            return Runs(segments: 1, length: depth, gap: 0, weightOffset: 0, weightGap: depth)
        }
        let length = tapColumns.count * channels
        return Runs(
            segments: tapRows.count, length: length, gap: length, weightOffset: inPlace.weightOffset,
            weightGap: kernelWidth * channels)
    }

    /// A pixel of the area: its column and row in the area, and its image.
    private struct Position {
        var x, y, image: Int
    }

    /// Divides once for the block's first pixel, then steps from tile to tile: dividing for each
    /// tile took a fifth of a convolution with one input channel.
    @inline(__always)
    func tiles(
        first: Int, count: Int, scratch: UnsafeMutablePointer<Float>, into tiles: UnsafeMutablePointer<TileRows>
    ) {
        let depth = kernelHeight * kernelWidth * channels
        let (row, x) = first.quotientAndRemainder(dividingBy: outputColumns.count)
        let (image, y) = row.quotientAndRemainder(dividingBy: outputRows.count)
        var position = Position(x: x, y: y, image: image)
        for (index, pixel) in stride(from: first, to: first + count, by: tileRows).enumerated() {
            let rows = min(tileRows, first + count - pixel)
            if dilationWidth == 1, let inside = windows(position, count: rows) {
                tiles[index] = inside
            } else {
                let target = scratch + index * tileRows * depth
                var tile = TileRows(repeating: target, output: 0, packed: true)
                var at = position
                for r in 0..<rows {
                    tile.set(r, target + r * depth, gather(at, into: target + r * depth))
                    advance(&at)
                }
                tiles[index] = tile
            }
            // A tile's step at once: six single steps cost 1 to 2% of MNIST at batch 64.
            position.x += tileRows
            while position.x >= outputColumns.count {
                position.x -= outputColumns.count
                position.y += 1
                if position.y == outputRows.count {
                    position.y = 0
                    position.image += 1
                }
            }
        }
    }

    /// The next pixel of the area, row by row, image after image.
    @inline(__always)
    private func advance(_ position: inout Position) {
        position.x += 1
        if position.x == outputColumns.count {
            position.x = 0
            position.y += 1
            if position.y == outputRows.count {
                position.y = 0
                position.image += 1
            }
        }
    }

    /// The output row of `position`, and where its window's first tap is in the input, its row and
    /// column (which may lie outside the image).
    @inline(__always)
    private func locate(_ position: Position) -> (output: Int, top: Int, left: Int) {
        let (y, x) = (outputRows.lowerBound + position.y, outputColumns.lowerBound + position.x)
        return (
            (position.image * outputHeight + y) * outputWidth + x,
            y * strideHeight - padTop + tapRows.lowerBound * dilationHeight,
            x * strideWidth - padLeft + tapColumns.lowerBound * dilationWidth
        )
    }

    /// The tile of the `count` pixels from `position` on, read in place, if all their windows lie
    /// inside the image.
    @inline(__always)
    private func windows(_ position: Position, count: Int) -> TileRows? {
        let (bottom, right) = ((tapRows.count - 1) * dilationHeight, tapColumns.count)
        if count == tileRows && position.x + tileRows <= outputColumns.count {
            // Six pixels of one output row: one bounds check, then a constant step.
            let (output, top, left) = locate(position)
            let last = left + (tileRows - 1) * strideWidth
            guard top >= 0, top + bottom < height, left >= 0, last + right <= width else { return nil }
            let start = input + ((position.image * height + top) * width + left) * channels
            let step = strideWidth * channels
            return TileRows(
                r0: start, r1: start + step, r2: start + 2 * step, r3: start + 3 * step, r4: start + 4 * step,
                r5: start + 5 * step, packed: false, o0: output, o1: output + 1, o2: output + 2, o3: output + 3,
                o4: output + 4, o5: output + 5)
        }
        var tile = TileRows(repeating: input, output: 0, packed: false)
        var at = position
        for r in 0..<count {
            let (output, top, left) = locate(at)
            guard top >= 0, top + bottom < height, left >= 0, left + right <= width else { return nil }
            tile.set(r, input + ((at.image * height + top) * width + left) * channels, output)
            advance(&at)
        }
        return tile
    }

    /// Copies the window of the pixel at `position` into a packed row (`packed` runs), zeros where
    /// it falls outside the image, and returns the pixel's output row.
    @inline(__always)
    private func gather(_ position: Position, into target: UnsafeMutablePointer<Float>) -> Int {
        let (output, top, left) = locate(position)
        let image = input + position.image * height * width * channels
        let taps = tapColumns.count
        let inside = left >= 0 && left + (taps - 1) * dilationWidth < width
        let run = dilationWidth == 1 ? taps * channels : channels
        var target = target
        for ky in 0..<tapRows.count {
            let iy = top + ky * dilationHeight
            if iy < 0 || iy >= height {
                target.update(repeating: 0, count: taps * channels)
            } else if inside && run > channels {
                target.update(from: image + (iy * width + left) * channels, count: run)
            } else {
                for kx in 0..<taps {
                    let ix = left + kx * dilationWidth
                    if ix >= 0 && ix < width {
                        (target + kx * channels).update(from: image + (iy * width + ix) * channels, count: channels)
                    } else {
                        (target + kx * channels).update(repeating: 0, count: channels)
                    }
                }
            }
            target += taps * channels
        }
        return output
    }
}
