#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whole-file reads and writes with errors a user can act on: `no such file`, `it is a directory`,
/// `permission denied`. Both formats go through here so they report file problems the same way.
package enum FileIO {
    /// The bytes of the regular file at `path`, read once after asking its size.
    package static func readAll(_ path: String) throws(FileFormatError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw error(path, opening: errno) }
        defer { close(descriptor) }

        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw error(path, reading: errno) }
        if (status.st_mode & S_IFMT) == S_IFDIR {
            throw FileFormatError(path: path, message: "cannot read it: it is a directory")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw FileFormatError(path: path, message: "cannot read it: it is not a regular file")
        }
        let size = Int(status.st_size)
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        let failure: Int32? = bytes.withUnsafeMutableBytes { buffer in
            while filled < size {
                let count = read(descriptor, buffer.baseAddress! + filled, size - filled)
                if count < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                if count == 0 { break }
                filled += count
            }
            return nil
        }
        if let failure { throw error(path, reading: failure) }
        guard filled == size else {
            throw FileFormatError(path: path, message: "file shrank while being read: got \(filled) of \(size) bytes")
        }
        return bytes
    }

    /// Writes every byte to an open file, retrying after signals; the `errno` of a failure, or nil.
    static func write(_ bytes: [UInt8], to descriptor: Int32) -> Int32? {
        bytes.withUnsafeBytes { buffer in
            var written = 0
            while written < buffer.count {
                let count = systemWrite(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if count < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                written += count
            }
            return nil
        }
    }

    private static func error(_ path: String, opening code: Int32) -> FileFormatError {
        switch code {
        case ENOENT: FileFormatError(path: path, message: "no such file")
        case EISDIR: FileFormatError(path: path, message: "cannot open it: it is a directory")
        case EACCES: FileFormatError(path: path, message: "cannot open it: permission denied")
        default: FileFormatError(path: path, message: "cannot open it: \(describe(code))")
        }
    }

    private static func error(_ path: String, reading code: Int32) -> FileFormatError {
        if code == EISDIR { return FileFormatError(path: path, message: "cannot read it: it is a directory") }
        return FileFormatError(path: path, message: "cannot read it: \(describe(code))")
    }

    /// The C library's words for an `errno` value, lower-cased to fit after a colon.
    static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        let words = String(cString: text)
        return words.prefix(1).lowercased() + words.dropFirst()
    }
}

/// `write(2)`, where the members named `write` do not hide it.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
