import Foundation

// MARK: Rows of a matrix product

/// Where the six rows of the left operand one tile reads start. Read in place, each row is
/// `RowSource.segments` runs of `length` floats, `gap` floats apart (a convolution window, a run
/// per kernel row); packed, each is one run of the whole depth.
struct TileRows {
    var r0, r1, r2, r3, r4, r5: UnsafePointer<Float>
    var packed: Bool
}

/// The left operand of a matrix product, `tileRows` rows at a time. The run geometry is a
/// property, not part of `TileRows`, so that it stays a constant the tile loops unroll by.
protocol RowSource {
    var segments: Int { get }
    var length: Int { get }
    var gap: Int { get }
    /// The tiles of rows `first ..< first + count`, `tileRows` rows each but the last, into
    /// `tiles`; a tile that must be copied is copied to `scratch + index · tileRows · depth`.
    func tiles(first: Int, count: Int, scratch: UnsafeMutablePointer<Float>, into tiles: UnsafeMutablePointer<TileRows>)
}

extension RowSource {
    /// The run geometry of tile `a`'s rows: the source's own in place; one run of the whole depth
    /// packed.
    @inline(__always)
    func runs(of a: TileRows, depth: Int) -> (segments: Int, length: Int, gap: Int) {
        a.packed ? (1, depth, 0) : (segments, length, gap)
    }
}

/// Rows `depth` apart from `start`; rows past `count` repeat row 0.
@inline(__always)
private func rowsFrom(_ start: UnsafePointer<Float>, count: Int, depth: Int, packed: Bool) -> TileRows {
    func row(_ r: Int) -> UnsafePointer<Float> { start + (r < count ? r : 0) * depth }
    return TileRows(r0: row(0), r1: row(1), r2: row(2), r3: row(3), r4: row(4), r5: row(5), packed: packed)
}

/// A row-major matrix read in place.
struct MatrixRows: RowSource {
    let start: UnsafePointer<Float>
    let depth: Int

    var segments: Int { 1 }
    var length: Int { depth }
    var gap: Int { 0 }

    @inline(__always)
    func tiles(
        first: Int, count: Int, scratch: UnsafeMutablePointer<Float>, into tiles: UnsafeMutablePointer<TileRows>
    ) {
        for (index, row) in stride(from: first, to: first + count, by: tileRows).enumerated() {
            tiles[index] = rowsFrom(
                start + row * depth, count: min(tileRows, first + count - row), depth: depth, packed: false)
        }
    }
}

/// The image patches of a convolution, in the kernel's [kh, kw, in] order. A tile whose windows
/// all lie inside the image reads them in place, a run of kw · in floats per kernel row; a tile
/// that touches the padding is copied (im2col) with zeros outside the image.
struct Patches: RowSource {
    let input: UnsafePointer<Float>
    let height, width, channels, outputHeight, outputWidth: Int
    let kernelHeight, kernelWidth, strideHeight, strideWidth, dilationHeight, dilationWidth: Int
    let padTop, padLeft: Int

    var segments: Int { kernelHeight }
    var length: Int { kernelWidth * channels }
    var gap: Int { dilationHeight * width * channels }

    /// Divides once for the block's first pixel, then steps from tile to tile: dividing for each
    /// tile took a fifth of a convolution with one input channel.
    @inline(__always)
    func tiles(
        first: Int, count: Int, scratch: UnsafeMutablePointer<Float>, into tiles: UnsafeMutablePointer<TileRows>
    ) {
        let depth = kernelHeight * kernelWidth * channels
        let (row, x) = first.quotientAndRemainder(dividingBy: outputWidth)
        let (image, y) = row.quotientAndRemainder(dividingBy: outputHeight)
        var position = (x: x, y: y, image: image)
        for (index, pixel) in stride(from: first, to: first + count, by: tileRows).enumerated() {
            let rows = min(tileRows, first + count - pixel)
            if dilationWidth == 1, let inside = windows(position, count: rows) {
                tiles[index] = TileRows(
                    r0: inside.0, r1: inside.1, r2: inside.2, r3: inside.3, r4: inside.4, r5: inside.5, packed: false)
            } else {
                let target = scratch + index * tileRows * depth
                for r in 0..<rows { gather(pixel: pixel + r, into: target + r * depth) }
                tiles[index] = rowsFrom(target, count: rows, depth: depth, packed: true)
            }
            position.x += tileRows
            while position.x >= outputWidth {
                position.x -= outputWidth
                position.y += 1
                if position.y == outputHeight {
                    position.y = 0
                    position.image += 1
                }
            }
        }
    }

    /// Where the windows of the `count` pixels from `position` on start, if all lie inside the image.
    @inline(__always)
    private func windows(_ position: (x: Int, y: Int, image: Int), count: Int) -> (
        UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>,
        UnsafePointer<Float>
    )? {
        var starts = (input, input, input, input, input, input)
        var (x, y, image) = position
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
