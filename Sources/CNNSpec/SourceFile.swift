import Foundation

/// A spec file's path and text, with the line index the diagnostic renderer needs.
public struct SourceFile: Sendable {
    /// Files larger than this are rejected before parsing: no real spec comes near it.
    public static let maximumSize = 8 << 20

    public let path: String
    public let text: String
    /// Where each line starts, so that snippets cost nothing however many diagnostics a file has.
    private let lineStarts: [String.Index]

    public init(path: String, text: String) {
        self.path = path
        self.text = text
        var starts = [text.startIndex]
        var index = text.utf8.startIndex
        while let newline = text.utf8[index...].firstIndex(of: UInt8(ascii: "\n")) {
            index = text.utf8.index(after: newline)
            starts.append(index)
        }
        lineStarts = starts
    }

    /// Whether the path ends in `.json` (in any case): such a spec is read as strict JSON.
    var isJSON: Bool { path.lowercased().hasSuffix(".json") }

    /// The text of a 1-based line, without its line break, or nil past the end.
    public func line(_ number: Int) -> Substring? {
        guard number >= 1, number <= lineStarts.count else { return nil }
        let start = lineStarts[number - 1]
        var end = number < lineStarts.count ? text.utf8.index(before: lineStarts[number]) : text.endIndex
        if end > start, text.utf8[text.utf8.index(before: end)] == UInt8(ascii: "\r") {
            end = text.utf8.index(before: end)
        }
        return text[start..<end]
    }

    /// A location in this file.
    public func location(line: Int, column: Int) -> SourceLocation {
        SourceLocation(file: path, line: line, column: column)
    }

    /// Reads a spec file, turning every way that can fail into a diagnostic at a position.
    public static func read(path: String) -> Result<SourceFile, Diagnostic> {
        let start = SourceLocation(file: path, line: 1, column: 1)
        guard let handle = FileHandle(forReadingAtPath: path) else {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                return .failure(.unreadableFile(path, isDirectory.boolValue ? "it is a directory" : "permission denied", at: start))
            }
            return .failure(.unreadableFile(path, "no such file", at: start))
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: maximumSize + 1) ?? Data()
        } catch {
            return .failure(.unreadableFile(path, "it is a directory or cannot be read", at: start))
        }
        if data.count > maximumSize {
            return .failure(.fileTooLarge(limit: maximumSize, at: start))
        }
        return decode(data, path: path).map { SourceFile(path: path, text: $0) }
    }

    /// Decodes UTF-8 (a BOM is dropped); an invalid byte or a NUL is reported where it is. Public
    /// so that in-memory bytes (the fuzz targets) take the same path as a file's.
    public static func decode(_ data: Data, path: String) -> Result<String, Diagnostic> {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var line = 1
        var lineStart = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let length: Int
            switch byte {
            case 0x00: length = 0
            case 0x01...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: length = 0
            }
            let valid = length > 0 && index + length <= bytes.count
                && bytes[(index + 1)..<(index + length)].allSatisfy { $0 & 0xC0 == 0x80 }
            if !valid {
                let column = String(decoding: bytes[lineStart..<index], as: UTF8.self).unicodeScalars.count + 1
                let location = SourceLocation(file: path, line: line, column: column)
                return .failure(byte == 0 ? .binaryFile(at: location) : .invalidUTF8(at: location))
            }
            if byte == 0x0A {
                line += 1
                lineStart = index + 1
            }
            index += length
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return .failure(.invalidUTF8(at: SourceLocation(file: path, line: line, column: 1)))
        }
        return .success(text)
    }
}
