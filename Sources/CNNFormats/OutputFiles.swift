#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Files that appear whole or not at all.
///
/// Each file is written to a temporary file in its own directory, flushed to disk, and renamed over
/// the destination only when every file of the set has been written. A full disk, a size limit, a
/// kill or a second writer therefore never leaves a truncated or mixed file, and a set that fails
/// leaves every destination as it was. Two writers racing for one path each rename a whole file;
/// the last rename wins.
public enum OutputFiles {
    /// One file to write: its destination and its complete contents.
    public struct File: Sendable {
        public var path: String
        public var bytes: [UInt8]

        public init(path: String, bytes: [UInt8]) {
            self.path = path
            self.bytes = bytes
        }

        public init(path: String, text: String) {
            self.init(path: path, bytes: Array(text.utf8))
        }
    }

    /// Writes one file atomically.
    public static func write(_ bytes: [UInt8], to path: String) throws(FileFormatError) {
        try write([File(path: path, bytes: bytes)])
    }

    /// Writes every file, or none. Each is written to its temporary file first, and only when all
    /// are written are they renamed into place, so an error while writing (a full disk, a size
    /// limit) removes the temporary files and leaves every destination as it was. The
    /// destinations are checked before anything is written, so a rename that still fails is rare;
    /// the files renamed before it then stay replaced.
    public static func write(_ files: [File]) throws(FileFormatError) {
        ignoreFileSizeSignal()
        for file in files { try checkDestination(file.path) }
        var staged: [(temporary: String, file: File)] = []
        do throws(FileFormatError) {
            for file in files {
                staged.append((try stage(file), file))
            }
        } catch {
            for entry in staged { unlink(entry.temporary) }
            throw error
        }
        for (index, entry) in staged.enumerated() where rename(entry.temporary, entry.file.path) != 0 {
            let code = errno
            for later in staged[index...] { unlink(later.temporary) }
            throw FileFormatError(path: entry.file.path, message: "cannot replace it: \(FileIO.describe(code))")
        }
    }

    /// Writes every file or none, as `write(_:)` does, after creating `directory` and its missing
    /// parents; when the files cannot be written, the directories created here are removed again.
    public static func write(_ files: [File], creating directory: String) throws(FileFormatError) {
        let created = try makeDirectories(directory)
        do {
            try write(files)
        } catch {
            for path in created.reversed() { rmdir(path) }
            throw error
        }
    }

    /// Creates `path` and any missing parents, returning those it created, outermost first.
    private static func makeDirectories(_ path: String) throws(FileFormatError) -> [String] {
        var missing: [String] = []
        var current = path
        var status = stat()
        while !current.isEmpty, current != "/", current != ".", stat(current, &status) != 0 {
            missing.append(current)
            current = directoryName(of: current)
        }
        if stat(current, &status) == 0, (status.st_mode & S_IFMT) != S_IFDIR {
            throw FileFormatError(path: path, message: "cannot create the directory: '\(current)' is a file")
        }
        var created: [String] = []
        for directory in missing.reversed() {
            guard mkdir(directory, 0o777) == 0 || errno == EEXIST else {
                let code = errno
                for path in created.reversed() { rmdir(path) }
                throw FileFormatError(path: directory, message: "cannot create the directory: \(FileIO.describe(code))")
            }
            created.append(directory)
        }
        return created
    }

    /// A file over the process's size limit (`ulimit -f`) would otherwise kill the process with
    /// SIGXFSZ; ignored, the write fails with EFBIG and is reported like a full disk.
    private static func ignoreFileSizeSignal() {
        signal(SIGXFSZ, SIG_IGN)
    }

    /// A destination that is a directory, or whose directory is missing, fails before anything is written.
    private static func checkDestination(_ path: String) throws(FileFormatError) {
        var status = stat()
        if lstat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR {
            throw FileFormatError(path: path, message: "cannot write it: it is a directory")
        }
        let directory = directoryName(of: path)
        guard stat(directory, &status) == 0 else {
            throw FileFormatError(path: path, message: "cannot create it: no such directory '\(directory)'")
        }
        guard (status.st_mode & S_IFMT) == S_IFDIR else {
            throw FileFormatError(path: path, message: "cannot create it: '\(directory)' is not a directory")
        }
    }

    /// Writes `file` to a new temporary file beside its destination and returns that file's path.
    private static func stage(_ file: File) throws(FileFormatError) -> String {
        let directory = directoryName(of: file.path)
        let base = String(file.path.split(separator: "/", omittingEmptySubsequences: false).last ?? "")
        var template = Array("\(directory)/.\(base).cnnc-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw FileFormatError(path: file.path, message: "cannot create it: \(FileIO.describe(errno))")
        }
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if let code = writeAndSync(file.bytes, to: descriptor) {
            close(descriptor)
            unlink(temporary)
            throw FileFormatError(path: file.path, message: "cannot write it: \(FileIO.describe(code))")
        }
        guard close(descriptor) == 0 else {
            let code = errno
            unlink(temporary)
            throw FileFormatError(path: file.path, message: "cannot write it: \(FileIO.describe(code))")
        }
        return temporary
    }

    /// Every byte, then the permissions a newly created file gets (mkstemp makes it private), then fsync.
    private static func writeAndSync(_ bytes: [UInt8], to descriptor: Int32) -> Int32? {
        if let failure = FileIO.write(bytes, to: descriptor) { return failure }
        let mask = umask(0)
        umask(mask)
        if fchmod(descriptor, 0o666 & ~mask) != 0 { return errno }
        if fsync(descriptor) != 0 { return errno }
        return nil
    }

    private static func directoryName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
