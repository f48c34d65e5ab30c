/// A [K, N] row-major weight matrix (a Keras conv kernel [kh, kw, in, out] or dense kernel
/// [in, out] read as rows of `out`) rearranged for `Gemm`: panels of `Gemm.panelWidth` columns, each
/// panel K rows of contiguous floats, the last panel padded with zero columns.
struct PackedWeights: Sendable {
    let rows: Int
    let columns: Int
    let buffer: FloatBuffer

    var panelCount: Int { (columns + Gemm.panelWidth - 1) / Gemm.panelWidth }

    init(rows: Int, columns: Int, rowMajor scalars: [Float]) {
        precondition(scalars.count == rows * columns)
        self.rows = rows
        self.columns = columns
        let width = Gemm.panelWidth
        let panels = (columns + width - 1) / width
        buffer = FloatBuffer(count: panels * rows * width)
        let packed = buffer.base
        scalars.withUnsafeBufferPointer { source in
            for panel in 0..<panels {
                let first = panel * width
                let count = min(width, columns - first)
                for row in 0..<rows {
                    let destination = packed + (panel * rows + row) * width
                    for column in 0..<count { destination[column] = source[row * columns + first + column] }
                }
            }
        }
    }

    /// The start of panel `index`.
    func panel(_ index: Int) -> UnsafePointer<Float> { UnsafePointer(buffer.base + index * rows * Gemm.panelWidth) }
}

extension PackedWeights {
    /// A bias padded with zeros to whole panels, so the epilogue reads it a vector at a time.
    static func paddedBias(_ bias: [Float]) -> FloatBuffer {
        let buffer = FloatBuffer(count: (bias.count + Gemm.panelWidth - 1) / Gemm.panelWidth * Gemm.panelWidth)
        for (index, value) in bias.enumerated() { buffer.base[index] = value }
        return buffer
    }
}
