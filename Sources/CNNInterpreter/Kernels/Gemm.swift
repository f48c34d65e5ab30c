/// Writes rows of the left operand of a matrix product in the layout `Gemm` reads: a group of
/// `Gemm.tileRows` rows stored k-major, row `r` of the group at `destination[k * Gemm.tileRows + r]`.
/// A convolution packs image patches here (im2col, one group at a time); a dense layer packs rows.
protocol RowPacker {
    /// The length of a row: the shared dimension K of the product.
    var depth: Int { get }
    /// Packs rows `first ..< first + count` (count ≤ `Gemm.tileRows`) into `destination`.
    func pack(first: Int, count: Int, into destination: UnsafeMutablePointer<Float>)
}

/// What is applied to each output element before it is stored: the bias, then a clamp that costs
/// nothing in the tile's registers. Other activations run as a separate pass over the output.
struct Epilogue {
    enum Clamp {
        case none, relu, relu6, leakyRelu
    }

    /// `PackedWeights.panelCount × Gemm.panelWidth` floats, zero-padded; nil for no bias.
    var bias: UnsafePointer<Float>?
    var clamp: Clamp

    @inline(__always)
    func apply(_ value: SIMD16<Float>, biasOffset: Int) -> SIMD16<Float> {
        var value = value
        if let bias { value += UnsafeRawPointer(bias + biasOffset).loadUnaligned(as: SIMD16<Float>.self) }
        switch clamp {
        case .none: return value
        case .relu: return value.replacing(with: 0, where: value .< 0)
        case .relu6: return value.replacing(with: 0, where: value .< 0).replacing(with: 6, where: value .> 6)
        case .leakyRelu: return value.replacing(with: value * 0.2, where: value .< 0)
        }
    }
}

/// C = A·B for a left operand produced by a `RowPacker` and packed weights, the way GotoBLAS and
/// ONNX Runtime's MLAS block it: rows are packed `blockRows` at a time, then each weight panel
/// sweeps the whole block while it stays in cache, one register tile of
/// `tileRows × panelWidth` at a time.
enum Gemm {
    static let tileRows = 6
    static let panelWidth = 32
    /// Rows packed at once: the packed block stays in the L2 cache while every panel sweeps it.
    static let blockRows = 96

    /// Computes `rows` rows of `epilogue(A·B)` into `output` (row stride `outputStride`), using
    /// `scratch` (at least `scratchCount(depth:)` floats) for the packed rows.
    static func multiply<Packer: RowPacker>(
        rows: Int, packer: Packer, weights: PackedWeights, epilogue: Epilogue,
        output: UnsafeMutablePointer<Float>, outputStride: Int, scratch: UnsafeMutablePointer<Float>
    ) {
        let depth = packer.depth
        precondition(depth == weights.rows)
        var blockStart = 0
        while blockStart < rows {
            let blockCount = min(blockRows, rows - blockStart)
            var group = 0
            while group * tileRows < blockCount {
                let count = min(tileRows, blockCount - group * tileRows)
                packer.pack(first: blockStart + group * tileRows, count: count, into: scratch + group * depth * tileRows)
                group += 1
            }
            for panel in 0..<weights.panelCount {
                let columns = min(panelWidth, weights.columns - panel * panelWidth)
                for group in 0..<(blockCount + tileRows - 1) / tileRows {
                    let row = blockStart + group * tileRows
                    tile(
                        depth: depth, a: scratch + group * depth * tileRows, b: weights.panel(panel),
                        output: output + row * outputStride + panel * panelWidth, outputStride: outputStride,
                        rows: min(tileRows, rows - row), columns: columns,
                        epilogue: epilogue, biasOffset: panel * panelWidth)
                }
            }
            blockStart += blockCount
        }
    }

    /// Floats of scratch `multiply` needs for a product of depth K.
    static func scratchCount(depth: Int) -> Int { blockRows * depth }
}
