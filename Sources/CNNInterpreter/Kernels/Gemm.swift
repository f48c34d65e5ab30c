/// The rows of the left operand of a matrix product, `Gemm.tileRows` at a time: either where they
/// already are (a dense layer's input) or copied into scratch (a convolution's image patches,
/// im2col one tile at a time).
protocol RowSource {
    /// The length of a row: the shared dimension K of the product.
    var depth: Int { get }
    /// Rows `first ..< first + count` (count ≤ `Gemm.tileRows`) as a start and a row stride.
    /// Rows past `count` must be readable (their results are dropped); `scratch` has room for
    /// `Gemm.tileRows × depth` floats.
    func rows(first: Int, count: Int, scratch: UnsafeMutablePointer<Float>) -> (start: UnsafePointer<Float>, stride: Int)
}

/// What is applied to each output element before it is stored: the bias, then a clamp that costs
/// nothing in the tile's registers. Other activations run as a separate pass over the output.
struct Epilogue {
    enum Clamp {
        case none, relu, relu6, leakyRelu

        /// The activation on sixteen values: the same arithmetic in a tile's store and in a
        /// standalone activation pass.
        @inline(__always)
        func apply(_ value: SIMD16<Float>) -> SIMD16<Float> {
            switch self {
            case .none: value
            case .relu: value.replacing(with: 0, where: value .< 0)
            case .relu6: value.replacing(with: 0, where: value .< 0).replacing(with: 6, where: value .> 6)
            case .leakyRelu: value.replacing(with: value * 0.2, where: value .< 0)
            }
        }

        /// The same on eight values, the activation pass's width on AVX2 and NEON. (A generic
        /// version of the two was specialized but neither inlined nor vectorized: 64% of MNIST's
        /// time went to building comparison masks lane by lane.)
        @inline(__always)
        func apply(_ value: SIMD8<Float>) -> SIMD8<Float> {
            switch self {
            case .none: value
            case .relu: value.replacing(with: 0, where: value .< 0)
            case .relu6: value.replacing(with: 0, where: value .< 0).replacing(with: 6, where: value .> 6)
            case .leakyRelu: value.replacing(with: value * 0.2, where: value .< 0)
            }
        }
    }

    /// `PackedWeights.panelCount × Gemm.panelWidth` floats, zero-padded; nil for no bias.
    var bias: UnsafePointer<Float>?
    var clamp: Clamp

    @inline(__always)
    func apply(_ value: SIMD16<Float>, biasOffset: Int) -> SIMD16<Float> {
        var value = value
        if let bias { value += UnsafeRawPointer(bias + biasOffset).loadUnaligned(as: SIMD16<Float>.self) }
        return clamp.apply(value)
    }
}

/// C = A·B for rows from a `RowSource` and packed weights, blocked as GotoBLAS and ONNX Runtime's
/// MLAS block it: rows are gathered `blockRows` at a time, then each weight panel sweeps the whole
/// block while it stays in cache, one register tile of `tileRows × panelWidth` at a time.
enum Gemm {
    static let tileRows = 6
    #if CNNC_AVX512
        /// Columns of a packed weight panel, the register tile's width. AVX-512 (`-DCNNC_AVX512`)
        /// has 32 registers of 16 floats: a 6×32 tile holds twelve accumulators, enough
        /// independent sums to keep both FMA units busy.
        static let panelWidth = 32
    #else
        /// Columns of a packed weight panel, the register tile's width. AVX2 has 16 registers of
        /// 8 floats and arm64 NEON 32 of 4: a 6×16 tile (six SIMD16 accumulators, 12 or 24
        /// registers) is the widest whose accumulators, weights and broadcast fit without spilling.
        static let panelWidth = 16
    #endif
    /// Rows packed at once: the packed block stays in the L2 cache while every panel sweeps it.
    static let blockRows = 96

    /// Computes `rows` rows of `epilogue(A·B)` into `output` (row stride `outputStride`), using
    /// `scratch` (at least `scratchCount(depth:)` floats) for rows that must be copied.
    static func multiply<Source: RowSource>(
        rows: Int, source: Source, weights: PackedWeights, epilogue: Epilogue,
        output: UnsafeMutablePointer<Float>, outputStride: Int, scratch: UnsafeMutablePointer<Float>
    ) {
        let depth = source.depth
        precondition(depth == weights.rows)
        withUnsafeTemporaryAllocation(of: (start: UnsafePointer<Float>, stride: Int).self, capacity: blockRows / tileRows) {
            tiles in
            var blockStart = 0
            while blockStart < rows {
                let blockCount = min(blockRows, rows - blockStart)
                let tileCount = (blockCount + tileRows - 1) / tileRows
                for index in 0..<tileCount {
                    let first = blockStart + index * tileRows
                    tiles[index] = source.rows(
                        first: first, count: min(tileRows, rows - first), scratch: scratch + index * tileRows * depth)
                }
                for panel in 0..<weights.panelCount {
                    let columns = min(panelWidth, weights.columns - panel * panelWidth)
                    for index in 0..<tileCount {
                        let row = blockStart + index * tileRows
                        let (a, aStride) = tiles[index]
                        let destination = output + row * outputStride + panel * panelWidth
                        let live = min(tileRows, rows - row)
                        if panelWidth > 16 && columns > 16 {
                            tile(
                                depth: depth, a: a, aStride: aStride, b: weights.panel(panel), output: destination,
                                outputStride: outputStride, rows: live, columns: columns, epilogue: epilogue,
                                biasOffset: panel * panelWidth)
                        } else {
                            narrowTile(
                                depth: depth, a: a, aStride: aStride, b: weights.panel(panel), output: destination,
                                outputStride: outputStride, rows: live, columns: columns, epilogue: epilogue,
                                biasOffset: panel * panelWidth)
                        }
                    }
                }
                blockStart += blockCount
            }
        }
    }

    /// Floats of scratch `multiply` needs for a product of depth K.
    static func scratchCount(depth: Int) -> Int { blockRows * depth }
}
