/// How one scalar is stored in a file: its type and byte order. Both formats convert every layout
/// they accept to `Float` through here.
struct ScalarLayout: Equatable, Sendable {
    /// The stored number types cnnc converts.
    enum Kind: Equatable, Sendable {
        case float16, bfloat16, float32, float64, uint8
    }

    var kind: Kind
    var bigEndian = false

    /// Bytes per scalar.
    var size: Int {
        switch kind {
        case .uint8: 1
        case .float16, .bfloat16: 2
        case .float32: 4
        case .float64: 8
        }
    }

    /// The `count` scalars at the start of `bytes` (which holds at least `count * size` bytes), as floats.
    func floats(from bytes: UnsafeRawBufferPointer, count: Int) -> [Float] {
        precondition(bytes.count >= count * size, "\(bytes.count) bytes for \(count) scalars of \(size) bytes")
        if kind == .float32 && bigEndian == Self.hostIsBigEndian {
            return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: bytes[0..<count * 4]))
                initialized = count
            }
        }
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count {
                buffer[index] = float(at: index * size, in: bytes)
            }
            initialized = count
        }
    }

    private func float(at offset: Int, in bytes: UnsafeRawBufferPointer) -> Float {
        switch kind {
        case .uint8:
            return Float(bytes[offset])
        case .float16:
            return Self.float(halfBits: load(UInt16.self, at: offset, in: bytes))
        case .bfloat16:
            return Float(bitPattern: UInt32(load(UInt16.self, at: offset, in: bytes)) << 16)
        case .float32:
            return Float(bitPattern: load(UInt32.self, at: offset, in: bytes))
        case .float64:
            return Float(Double(bitPattern: load(UInt64.self, at: offset, in: bytes)))
        }
    }

    private func load<T: FixedWidthInteger>(_ type: T.Type, at offset: Int, in bytes: UnsafeRawBufferPointer) -> T {
        let raw = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        return bigEndian ? T(bigEndian: raw) : T(littleEndian: raw)
    }

    /// An IEEE 754 half-precision number, given by its bits, widened exactly to a float: subnormals,
    /// infinities and NaN included.
    static func float(halfBits bits: UInt16) -> Float {
        let sign: UInt32 = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1f
        let mantissa = UInt32(bits & 0x3ff)
        switch exponent {
        case 0:
            // Zero or subnormal: mantissa × 2⁻²⁴, exact in a float.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1f:
            return Float(bitPattern: sign | 0x7f80_0000 | mantissa << 13)
        default:
            return Float(bitPattern: sign | (exponent + 127 - 15) << 23 | mantissa << 13)
        }
    }

    /// Whether this machine stores numbers most significant byte first.
    static let hostIsBigEndian = 1.bigEndian == 1
}

/// Overflow-checked arithmetic on sizes read from a file, so a lying header is an error, not a trap.
enum Checked {
    /// The product of `dimensions` multiplied left to right (as `Tensor` does), or nil when a partial
    /// product overflows.
    static func elementCount(_ dimensions: [Int]) -> Int? {
        var product = 1
        for dimension in dimensions {
            let (next, overflow) = product.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            product = next
        }
        return product
    }

    /// `count * size`, or nil when it overflows.
    static func byteCount(_ count: Int, size: Int) -> Int? {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: size)
        return overflow ? nil : bytes
    }
}
