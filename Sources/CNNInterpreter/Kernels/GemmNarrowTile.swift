extension Gemm {
    /// The tile for a panel with at most 16 live columns (a layer with 6 or 16 filters, the last
    /// panel of 40): `tileRows × 16` sums in six accumulators, reading only the panel's first
    /// half, so narrow layers do not pay for the zero columns.
    @inline(__always)
    static func narrowTile(
        depth: Int, a: UnsafePointer<Float>, aStride: Int, b: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, outputStride: Int, rows: Int, columns: Int,
        epilogue: Epilogue, biasOffset: Int
    ) {
        var c0 = SIMD16<Float>(), c1 = SIMD16<Float>(), c2 = SIMD16<Float>()
        var c3 = SIMD16<Float>(), c4 = SIMD16<Float>(), c5 = SIMD16<Float>()
        let a0 = a
        let a1 = a0 + aStride
        let a2 = a1 + aStride
        let a3 = a2 + aStride
        let a4 = a3 + aStride
        let a5 = a4 + aStride
        var b = UnsafeRawPointer(b)
        for k in 0..<depth {
            let b0 = b.load(as: SIMD16<Float>.self)
            multiplyAdd(&c0, SIMD16(repeating: a0[k]), b0)
            multiplyAdd(&c1, SIMD16(repeating: a1[k]), b0)
            multiplyAdd(&c2, SIMD16(repeating: a2[k]), b0)
            multiplyAdd(&c3, SIMD16(repeating: a3[k]), b0)
            multiplyAdd(&c4, SIMD16(repeating: a4[k]), b0)
            multiplyAdd(&c5, SIMD16(repeating: a5[k]), b0)
            b += panelWidth * MemoryLayout<Float>.stride
        }
        @inline(__always) func store(_ row: Int, _ sums: SIMD16<Float>) {
            guard row < rows else { return }
            let values = epilogue.apply(sums, biasOffset: biasOffset)
            let destination = output + row * outputStride
            if columns == 16 {
                UnsafeMutableRawPointer(destination).storeBytes(of: values, as: SIMD16<Float>.self)
            } else {
                for column in 0..<columns { destination[column] = values[column] }
            }
        }
        store(0, c0)
        store(1, c1)
        store(2, c2)
        store(3, c3)
        store(4, c4)
        store(5, c5)
    }
}
