/// File formats told apart by their first bytes, so that a file of the wrong kind is named for what
/// it is (`--weights model.keras`) instead of being misread as a header that makes no sense.
package enum FileSignature: Equatable {
    case zip, hdf5, numpy, pickle, gzip, safetensors

    /// The format `bytes` start with, if it is one of these.
    package init?(_ bytes: UnsafeRawBufferPointer) {
        func starts(with prefix: [UInt8]) -> Bool { bytes.count >= prefix.count && bytes.prefix(prefix.count).elementsEqual(prefix) }
        if starts(with: [0x50, 0x4B, 0x03, 0x04]) || starts(with: [0x50, 0x4B, 0x05, 0x06]) {
            self = .zip
        } else if starts(with: [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]) {
            self = .hdf5
        } else if starts(with: NumPyArray.magic) {
            self = .numpy
        } else if bytes.count > 9, bytes[8] == UInt8(ascii: "{"),
            UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self)) <= UInt64(bytes.count - 8)
        {
            // Before pickle's test: a header of 640 bytes starts 0x80 0x02, as protocol 2 does.
            self = .safetensors
        } else if bytes.count >= 2, bytes[0] == 0x80, (2...5).contains(bytes[1]) {
            self = .pickle
        } else if starts(with: [0x1F, 0x8B]) {
            self = .gzip
        } else {
            return nil
        }
    }

    /// "a zip archive (…)", to follow "this is".
    var description: String {
        switch self {
        case .zip: "a zip archive (a Keras .keras model, a NumPy .npz file or a PyTorch checkpoint)"
        case .hdf5: "an HDF5 file (Keras .h5 weights or model)"
        case .numpy: "a NumPy .npy array"
        case .pickle: "a Python pickle"
        case .gzip: "a gzip-compressed file"
        case .safetensors: "a safetensors file"
        }
    }

    /// The error for a file of this kind where `expected` is due, with what to do about it.
    package func mismatch(path: String, expected: String, advice: String) -> FileFormatError {
        FileFormatError(path: path, message: "this is \(description), not \(expected)", notes: [advice])
    }
}
