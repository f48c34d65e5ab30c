/// Weights files in the safetensors format (https://huggingface.co/docs/safetensors).
///
/// A file is an 8-byte little-endian header length N, N bytes of UTF-8 JSON describing each
/// tensor, then the data buffer:
///
///     {"conv2d.bias": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}, ...,
///      "__metadata__": {"format": "pt"}}
///
/// Offsets are relative to the start of the buffer, and the tensors must cover it exactly. The
/// reader converts F32, F16, BF16 and F64 tensors to `Float` and treats everything a file could get
/// wrong (truncation, lying lengths, overflowing shapes, overlaps, holes, unknown dtypes) as a
/// `FileFormatError` that says what is wrong; no input makes it trap or allocate more than the file.
public enum SafeTensors {
    /// The largest header the reference implementation reads: 100 MB.
    public static let maximumHeaderLength = 100_000_000

    /// The tensors of the safetensors file at `path`, by name.
    public static func read(contentsOf path: String) throws(FileFormatError) -> [String: Tensor] {
        try readWithMetadata(contentsOf: path).tensors
    }

    /// The tensors and the `__metadata__` strings of the safetensors file at `path`.
    public static func readWithMetadata(
        contentsOf path: String
    ) throws(FileFormatError) -> (tensors: [String: Tensor], metadata: [String: String]) {
        let bytes = try FileIO.readAll(path)
        // `withUnsafeBytes` rethrows untyped errors, so the typed one travels out in a `Result`.
        return try bytes.withUnsafeBytes { buffer in
            Result { () throws(FileFormatError) in try decodeWithMetadata(buffer, path: path) }
        }.get()
    }

    /// The tensors of a safetensors file held in memory; `path` only names it in errors.
    public static func decode(_ bytes: UnsafeRawBufferPointer, path: String) throws(FileFormatError) -> [String: Tensor]
    {
        try decodeWithMetadata(bytes, path: path).tensors
    }

    /// The tensors and the `__metadata__` strings of a safetensors file held in memory; `path` only
    /// names it in errors.
    public static func decodeWithMetadata(
        _ bytes: UnsafeRawBufferPointer, path: String
    ) throws(FileFormatError) -> (tensors: [String: Tensor], metadata: [String: String]) {
        let problem = { (message: String) in FileFormatError(path: path, message: message) }
        if let signature = FileSignature(bytes), signature != .safetensors {
            throw signature.mismatch(
                path: path, expected: "a safetensors file",
                advice: "cnnc reads weights as safetensors, F32 tensors named '<layer name>.<param>' in Keras's shapes (see the README)")
        }
        guard bytes.count >= 8 else {
            throw problem(
                "file is \(bytes.count) bytes long, too short for a safetensors file (the header length alone takes 8)")
        }
        let declared = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard declared <= UInt64(maximumHeaderLength) else {
            throw problem("header length \(declared) is over the 100 MB limit; this is not a safetensors file")
        }
        let headerLength = Int(declared)
        guard headerLength <= bytes.count - 8 else {
            throw problem(
                "header length \(headerLength) runs past the end of the file, which has \(bytes.count - 8) bytes "
                    + "after the length; the file may be truncated")
        }
        let header = try SafeTensorsHeader(parsing: Array(bytes[8..<8 + headerLength]), path: path)
        let buffer = UnsafeRawBufferPointer(rebasing: bytes[(8 + headerLength)...])
        try header.validateLayout(bufferSize: buffer.count, path: path)

        var tensors: [String: Tensor] = [:]
        for entry in header.entries {
            let data = UnsafeRawBufferPointer(rebasing: buffer[entry.begin..<entry.end])
            tensors[entry.name] = Tensor(
                shape: entry.shape, scalars: entry.layout.floats(from: data, count: entry.count))
        }
        return (tensors, header.metadata)
    }

    /// A safetensors file holding `tensors` as F32, in the reference writer's layout: names sorted by
    /// their UTF-8 bytes, data in that order, `__metadata__` first when there is any, and the header
    /// padded with spaces to a multiple of 8 bytes. No tensor may be named `__metadata__`.
    public static func encode(_ tensors: [String: Tensor], metadata: [String: String] = [:]) -> [UInt8] {
        var tensors = tensors
        return encode(draining: &tensors, metadata: metadata)
    }

    /// `encode`, emptying `tensors` as their bytes are copied, so that a large model is held once,
    /// not twice.
    public static func encode(draining tensors: inout [String: Tensor], metadata: [String: String] = [:]) -> [UInt8] {
        precondition(tensors["__metadata__"] == nil, "'__metadata__' is reserved and cannot name a tensor")
        let names = tensors.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var members: [String] = []
        if !metadata.isEmpty {
            let keys = metadata.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            let pairs = keys.map { jsonQuoted($0) + ":" + jsonQuoted(metadata[$0]!) }
            members.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        for name in names {
            let tensor = tensors[name]!
            let end = offset + tensor.scalars.count * 4
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            members.append(
                jsonQuoted(name) + ":{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var header = Array(("{" + members.joined(separator: ",") + "}").utf8)
        header += [UInt8](repeating: UInt8(ascii: " "), count: (8 - header.count % 8) % 8)

        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes += $0 }
        bytes += header
        for name in names {
            let tensor = tensors.removeValue(forKey: name)!
            #if _endian(little)
                tensor.scalars.withUnsafeBytes { bytes += $0 }
            #else
                for scalar in tensor.scalars {
                    withUnsafeBytes(of: scalar.bitPattern.littleEndian) { bytes += $0 }
                }
            #endif
        }
        return bytes
    }

    /// Writes `tensors` to `path` as `encode` lays them out.
    public static func write(
        _ tensors: [String: Tensor], to path: String, metadata: [String: String] = [:]
    ) throws(FileFormatError) {
        try OutputFiles.write(encode(tensors, metadata: metadata), to: path)
    }

    /// `text` as a JSON string literal, escaped as serde_json (the reference writer) escapes it.
    static func jsonQuoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{00}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
