/// Floats in 64-byte-aligned memory that is never moved: packed weights and the activation arena.
/// Immutable after the kernel that owns it has filled it, so sharing it between threads is safe.
final class FloatBuffer: @unchecked Sendable {
    let count: Int
    let base: UnsafeMutablePointer<Float>

    /// `count` zeros. The padding of a packed panel relies on the zeros.
    init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        base = raw.initializeMemory(as: Float.self, repeating: 0, count: max(count, 1))
    }

    deinit { base.deallocate() }
}
