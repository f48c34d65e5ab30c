/// The support code every generated model carries besides the kernels (`KernelSource.text`, the
/// CNNKernels module's own text): the safetensors reader and the check of its tensors against the
/// spec. Plain Swift on the standard library and Foundation, private to the generated file, so
/// several models compile together without clashing.
enum Runtime {
    /// What the generated file says before the kernels.
    static let kernelsHeader = """
        // MARK: - Kernels

        // The code below is cnnc's own CNNKernels module, the same in every model cnnc generates
        // but for what this model does not use: the declarations its layers do not reach, and the
        // activations it does not apply, left out of `activate`'s switch. The layer code above
        // calls it with the model's shapes as constants. Build with -DCNNC_FMA, together with a
        // -target-cpu that has FMA, for fused multiply-adds (arm64 always has them), add
        // -DCNNC_AVX512 on a CPU with AVX-512 for its wider register tiles, and -DCNNC_PREFETCH
        // (not under -sanitize=thread) to fetch large weights a panel ahead.
        """

    /// The kernels (`KernelSource.text`) with the cases of `activate`'s switch for the activations
    /// not in `used` left out, and so the code of their vector functions; a last `default` takes
    /// them, linear and softmax. MNIST, which calls softmax alone, compiles 0.3 s faster without
    /// gelu, erf and the rest.
    static func kernels(activations used: Set<String>) -> String {
        var lines = KernelSource.text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let switchLine = lines.firstIndex(of: "    switch activation {"),
            let end = lines[switchLine...].firstIndex(of: "    }")
        else { preconditionFailure("activate's switch is not in the kernels") }
        let cases = (switchLine + 1)..<end
        let unused = cases.filter { index in
            guard let name = lines[index].prefixMatch(of: /\ {4}case \.(\w+):/)?.1 else { return false }
            return !used.contains(String(name))
        }
        guard !unused.isEmpty else { return KernelSource.text }
        guard let catchAll = lines[cases].firstIndex(of: "    case .linear, .softmax: break") else {
            preconditionFailure("activate's switch has no case for linear and softmax")
        }
        lines.insert("    default: break", at: end)
        for index in (unused + [catchAll]).sorted().reversed() { lines.remove(at: index) }
        return lines.joined(separator: "\n")
    }

    static let weights = #"""
// MARK: - Weights

/// A problem with a weights file, said in words a user can act on.
private struct WeightsProblem: Error {
    var message: String
    var notes: [String] = []
}

/// The tensors of a safetensors file, converted to Float: F32, F16, BF16 and F64. Every size the
/// header states is checked against the file before it is used. Like `checkTensors` and the
/// model's initializer, code that runs once is left unoptimized (`@_optimize(none)`), which takes
/// a tenth off MNIST's compile time; the loop over the values is a function of its own, optimized.
@_optimize(none)
private func readSafeTensors(_ bytes: [UInt8]) throws(WeightsProblem) -> [String: (shape: [Int], values: [Float])] {
    guard bytes.count >= 8 else { throw WeightsProblem(message: "too short for a safetensors file") }
    // The header's length: 8 bytes, little-endian, read as one word (two where UInt has 32 bits).
    let (length, high, stated) = bytes.withUnsafeBytes { raw in
        (
            UInt(littleEndian: raw.loadUnaligned(as: UInt.self)),
            MemoryLayout<UInt>.size == 8 ? 0 : UInt(littleEndian: raw.loadUnaligned(fromByteOffset: 4, as: UInt.self)),
            UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
        )
    }
    guard high == 0, length <= UInt(bitPattern: bytes.count - 8) else {
        throw WeightsProblem(message: "header length \(stated) runs past the end of the file; it may be truncated")
    }
    let dataStart = 8 + Int(bitPattern: length)
    guard let json = try? JSONSerialization.jsonObject(with: Data(bytes[8..<dataStart])),
        let header = json as? [String: Any]
    else { throw WeightsProblem(message: "the header is not a JSON object") }
    var tensors: [String: (shape: [Int], values: [Float])] = [:]
    for (name, value) in header where name != "__metadata__" {
        guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
            let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2
        else { throw WeightsProblem(message: "tensor '\(name)' has no dtype, shape or data_offsets") }
        let size: Int
        switch dtype {
        case "F32": size = 4
        case "F16", "BF16": size = 2
        case "F64": size = 8
        default: throw WeightsProblem(message: "tensor '\(name)' has dtype \(dtype); F32, F16, BF16 and F64 are read")
        }
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard dimension >= 0, !overflow else { throw WeightsProblem(message: "tensor '\(name)' has shape \(shape)") }
            count = product
        }
        let (begin, end) = (offsets[0], offsets[1])
        let (bytesNeeded, overflow) = count.multipliedReportingOverflow(by: size)
        guard !overflow, begin >= 0, end >= begin, end - begin == bytesNeeded, end <= bytes.count - dataStart else {
            throw WeightsProblem(message: "tensor '\(name)' has data_offsets \(offsets) that do not fit its shape or the file")
        }
        tensors[name] = (shape, floats(bytes, from: dataStart + begin, count: count, dtype: dtype))
    }
    return tensors
}

/// `count` values of type `dtype` (F32, F16, BF16 or F64) from `bytes[start...]`, little-endian.
/// Each value is loaded whole and taken apart with its own type's operators: a generic integer
/// conversion or shift (`UInt32(byte) << 8`) makes swiftc optimize every witness of the integer
/// protocols for each type involved, about 0.2 s of MNIST's compile time for the four types here.
private func floats(_ bytes: [UInt8], from start: Int, count: Int, dtype: String) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        bytes.withUnsafeBytes { raw in
            // The four bytes at `offset`. A 2-byte value is the upper half of the four that end
            // with it, which are in the file: the data follows the 8-byte length and the header.
            func word(_ offset: Int) -> UInt32 {
                UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            }
            switch dtype {
            case "F32":
                for i in 0..<count { buffer[i] = Float(bitPattern: word(start + 4 * i)) }
            case "F16":
                for i in 0..<count { buffer[i] = halfToFloat(word(start + 2 * i - 2) &>> 16) }
            case "BF16":
                for i in 0..<count { buffer[i] = Float(bitPattern: word(start + 2 * i - 2) & 0xFFFF_0000) }
            default:
                for i in 0..<count {
                    let bits = raw.loadUnaligned(fromByteOffset: start + 8 * i, as: UInt64.self)
                    buffer[i] = Float(Double(bitPattern: UInt64(littleEndian: bits)))
                }
            }
        }
        initialized = count
    }
}

/// IEEE half precision, the low 16 bits of `half`, to Float: subnormals, infinities and NaN
/// (its payload kept) included.
private func halfToFloat(_ half: UInt32) -> Float {
    let sign = (half & 0x8000) &<< 16
    let (exponent, fraction) = ((half &>> 10) & 0x1F, half & 0x3FF)
    switch exponent {
    case 0:
        // fraction · 2⁻²⁴, exactly: 2⁻¹⁴ · (1 + fraction / 1024), less 2⁻¹⁴.
        let magnitude = Float(bitPattern: 113 &<< 23 | fraction &<< 13) - Float(bitPattern: 113 &<< 23)
        return Float(bitPattern: sign | magnitude.bitPattern)
    case 31: return Float(bitPattern: sign | 0x7F80_0000 | fraction &<< 13)
    default: return Float(bitPattern: sign | (exponent &+ 112) &<< 23 | fraction &<< 13)
    }
}

/// Checks the tensors against those the spec declares, each "name [shape]": every missing, extra
/// or wrongly shaped tensor is named, with the shape the spec expects.
@_optimize(none)
private func checkTensors(
    _ tensors: [String: (shape: [Int], values: [Float])], expected: [String]
) throws(WeightsProblem) {
    var notes: [String] = []
    var names = Set<String>()
    for entry in expected {
        let name = String(entry.prefix { $0 != " " })
        let shape = entry.dropFirst(name.count + 1)
        names.insert(name)
        if let tensor = tensors[name] {
            if "\(tensor.shape)" != shape { notes.append("'\(name)' has shape \(tensor.shape); the spec needs \(shape)") }
        } else {
            notes.append("missing '\(name)', shape \(shape)")
        }
    }
    for name in tensors.keys.sorted() where !names.contains(name) {
        notes.append("unexpected '\(name)' \(tensors[name]!.shape): the spec declares no such weight")
    }
    guard notes.isEmpty else {
        throw WeightsProblem(message: "\(notes.count) tensor(s) do not match the spec", notes: notes)
    }
}

/// The values of tensor `name`, which `checkTensors` has found. A call, not a subscript at each
/// use: a model's initializer names each tensor once, and each inlined lookup was code to compile.
@inline(never)
private func tensorValues(_ tensors: [String: (shape: [Int], values: [Float])], _ name: String) -> [Float] {
    tensors[name]!.values
}
"""#
}
