extension Gemm {
    /// The AVX-512 register tile: `tileRows × 32` sums over the whole depth, held in twelve
    /// SIMD16 accumulators (two per row), then the epilogue and the store. Rows and columns past
    /// `rows`/`columns` are computed from padding and dropped.
    @inline(__always)
    static func tile(
        depth: Int, a: UnsafePointer<Float>, aStride: Int, b: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, outputStride: Int, rows: Int, columns: Int,
        epilogue: Epilogue, biasOffset: Int
    ) {
        var c00 = SIMD16<Float>(), c01 = SIMD16<Float>()
        var c10 = SIMD16<Float>(), c11 = SIMD16<Float>()
        var c20 = SIMD16<Float>(), c21 = SIMD16<Float>()
        var c30 = SIMD16<Float>(), c31 = SIMD16<Float>()
        var c40 = SIMD16<Float>(), c41 = SIMD16<Float>()
        var c50 = SIMD16<Float>(), c51 = SIMD16<Float>()
        let a0 = a
        let a1 = a0 + aStride
        let a2 = a1 + aStride
        let a3 = a2 + aStride
        let a4 = a3 + aStride
        let a5 = a4 + aStride
        var b = UnsafeRawPointer(b)
        for k in 0..<depth {
            let b0 = b.load(as: SIMD16<Float>.self)
            let b1 = b.load(fromByteOffset: 64, as: SIMD16<Float>.self)
            var x = SIMD16<Float>(repeating: a0[k])
            multiplyAdd(&c00, x, b0)
            multiplyAdd(&c01, x, b1)
            x = SIMD16(repeating: a1[k])
            multiplyAdd(&c10, x, b0)
            multiplyAdd(&c11, x, b1)
            x = SIMD16(repeating: a2[k])
            multiplyAdd(&c20, x, b0)
            multiplyAdd(&c21, x, b1)
            x = SIMD16(repeating: a3[k])
            multiplyAdd(&c30, x, b0)
            multiplyAdd(&c31, x, b1)
            x = SIMD16(repeating: a4[k])
            multiplyAdd(&c40, x, b0)
            multiplyAdd(&c41, x, b1)
            x = SIMD16(repeating: a5[k])
            multiplyAdd(&c50, x, b0)
            multiplyAdd(&c51, x, b1)
            b += panelWidth * MemoryLayout<Float>.stride
        }
        let full = columns == panelWidth
        @inline(__always) func store(_ row: Int, _ low: SIMD16<Float>, _ high: SIMD16<Float>) {
            guard row < rows else { return }
            let low = epilogue.apply(low, biasOffset: biasOffset)
            let high = epilogue.apply(high, biasOffset: biasOffset + 16)
            let destination = output + row * outputStride
            if full {
                UnsafeMutableRawPointer(destination).storeBytes(of: low, as: SIMD16<Float>.self)
                UnsafeMutableRawPointer(destination).storeBytes(of: high, toByteOffset: 64, as: SIMD16<Float>.self)
            } else {
                for column in 0..<min(columns, 16) { destination[column] = low[column] }
                for column in 16..<max(columns, 16) { destination[column] = high[column - 16] }
            }
        }
        store(0, c00, c01)
        store(1, c10, c11)
        store(2, c20, c21)
        store(3, c30, c31)
        store(4, c40, c41)
        store(5, c50, c51)
    }
}

/// `accumulator += x · y`, lane by lane, as the target does it fastest. Every arm64 CPU has fused
/// multiply-add, and x86-64 with `-DCNNC_FMA` and a `-target-cpu` that has it (`haswell` or
/// later): one fused instruction per vector. `addProduct` on a baseline x86-64 build would instead
/// call `fmaf` once per lane, so that build multiplies and adds separately. Both round within
/// Keras's tolerance.
@inline(__always)
func multiplyAdd(_ accumulator: inout SIMD16<Float>, _ x: SIMD16<Float>, _ y: SIMD16<Float>) {
    #if CNNC_FMA || arch(arm64)
        accumulator.addProduct(x, y)
    #else
        accumulator += x * y
    #endif
}
