/// Arrays in NumPy's `.npy` format (numpy's `lib/format.py`), versions 1.0 to 3.0.
///
/// A file is the magic `\x93NUMPY`, a major and minor version byte, the header length (UInt16
/// little-endian in version 1, UInt32 in versions 2 and 3), then the header, a Python dict literal
/// padded with spaces and ending in a newline:
///
///     {'descr': '<f4', 'fortran_order': False, 'shape': (3, 28, 28, 1), }
///
/// then the scalars in C order. The reader converts float32, float64 (either byte order) and uint8
/// to `Float`; the data must be exactly as long as the shape says.
public enum NumPyArray {
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// The array in the `.npy` file at `path`.
    public static func read(contentsOf path: String) throws(FileFormatError) -> Tensor {
        let bytes = try FileIO.readAll(path)
        // `withUnsafeBytes` rethrows untyped errors, so the typed one travels out in a `Result`.
        return try bytes.withUnsafeBytes { buffer in
            Result { () throws(FileFormatError) in try decode(buffer, path: path) }
        }.get()
    }

    /// The array in a `.npy` file held in memory; `path` only names it in errors.
    public static func decode(_ bytes: UnsafeRawBufferPointer, path: String) throws(FileFormatError) -> Tensor {
        let problem = { (message: String) in FileFormatError(path: path, message: message) }
        if let signature = FileSignature(bytes), signature != .numpy {
            throw signature.mismatch(
                path: path, expected: "a NumPy .npy file",
                advice: signature == .zip
                    ? "for an .npz archive, load it with np.load and save the one array with np.save"
                    : "save the array with numpy.save (float32, C order)")
        }
        guard bytes.prefix(magic.count).elementsEqual(magic.prefix(bytes.count)) else {
            throw problem("not a NumPy .npy file: it does not start with \\x93NUMPY")
        }
        guard bytes.count >= 8 else {
            throw problem("file is \(bytes.count) bytes long, too short for a .npy file; it may be truncated")
        }
        let (major, minor) = (bytes[6], bytes[7])
        guard (1...3).contains(major), minor == 0 else {
            throw problem("unsupported .npy format version \(major).\(minor); cnnc reads versions 1.0, 2.0 and 3.0")
        }
        let lengthSize = major == 1 ? 2 : 4
        guard bytes.count >= 8 + lengthSize else {
            throw problem("file is \(bytes.count) bytes long, too short for a .npy file; it may be truncated")
        }
        let headerLength =
            major == 1
            ? Int(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt16.self)))
            : Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self)))
        let headerStart = 8 + lengthSize
        guard headerLength <= bytes.count - headerStart else {
            throw problem(
                "header length \(headerLength) runs past the end of the file, which has \(bytes.count - headerStart) "
                    + "bytes after the length; the file may be truncated")
        }
        let dataStart = headerStart + headerLength
        let header = try NumPyHeader(
            text: headerText(Array(bytes[headerStart..<dataStart]), utf8: major == 3, problem: problem),
            problem: problem)

        let dtype = "shape \(NumPyHeader.shapeDescription(header.shape)) of '\(header.descr)'"
        guard let count = Checked.elementCount(header.shape),
            let needed = Checked.byteCount(count, size: header.layout.size)
        else { throw problem("\(dtype) has a size that overflows") }
        let available = bytes.count - dataStart
        guard available >= needed else {
            throw problem(
                "data is truncated: \(dtype) needs \(needed) bytes but the file has \(available) after the header")
        }
        guard available == needed else {
            throw problem(
                "file has \(available - needed) bytes after the data: \(dtype) needs \(needed) bytes but the file "
                    + "has \(available) after the header")
        }
        let data = UnsafeRawBufferPointer(rebasing: bytes[dataStart...])
        return Tensor(shape: header.shape, scalars: header.layout.floats(from: data, count: count))
    }

    /// The header's characters: Latin-1 in versions 1 and 2 (as numpy decodes them), UTF-8 in 3.
    private static func headerText(
        _ bytes: [UInt8], utf8: Bool, problem: (String) -> FileFormatError
    ) throws(FileFormatError) -> [Unicode.Scalar] {
        guard utf8 else { return bytes.map { Unicode.Scalar($0) } }
        if let offset = firstInvalidUTF8(in: bytes) {
            throw problem("header is not valid UTF-8 (at byte \(offset) of the header)")
        }
        return Array(String(decoding: bytes, as: UTF8.self).unicodeScalars)
    }

    /// A version 1.0 `.npy` file holding `tensor` as little-endian float32, laid out byte for byte as
    /// numpy's `save` lays it out (version 2.0 if the header outgrows version 1's 65535 bytes).
    public static func encode(_ tensor: Tensor) -> [UInt8] {
        var header = NumPyHeader.text(for: tensor.shape, preambleLength: 10)
        var bytes = magic
        if header.count <= Int(UInt16.max) {
            bytes += [1, 0]
            withUnsafeBytes(of: UInt16(header.count).littleEndian) { bytes += $0 }
        } else {
            header = NumPyHeader.text(for: tensor.shape, preambleLength: 12)
            bytes += [2, 0]
            withUnsafeBytes(of: UInt32(header.count).littleEndian) { bytes += $0 }
        }
        bytes.reserveCapacity(bytes.count + header.count + tensor.scalars.count * 4)
        bytes += header
        for scalar in tensor.scalars {
            withUnsafeBytes(of: scalar.bitPattern.littleEndian) { bytes += $0 }
        }
        return bytes
    }

    /// Writes `tensor` to `path` as `encode` lays it out.
    public static func write(_ tensor: Tensor, to path: String) throws(FileFormatError) {
        try OutputFiles.write(encode(tensor), to: path)
    }
}
