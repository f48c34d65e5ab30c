/// The bytes of a JSON text and a position in them that knows its line and column.
///
/// It holds the bytes as a buffer borrowed for one `JSONReader.read(_:)`, and nothing counted by
/// reference, so that reading it costs no reference counting even in a debug build. Lines are counted at `\n` (as `SourceFile` splits them) and columns in Unicode scalars, as the
/// YAML path counts them. The column is counted forward on demand from the last place it was
/// asked for, so asking for the location of every value costs nothing even on a one-line file.
/// Locations are only asked for at the current position, which never moves back.
struct JSONScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    private(set) var position = 0
    private var line = 1
    private var columnOffset = 0
    private var column = 1

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    var atEnd: Bool { position >= bytes.count }

    /// The byte at the position, nil at the end of the text.
    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    /// The byte `offset` places past the position, nil past the end of the text.
    func peek(_ offset: Int) -> UInt8? {
        position + offset < bytes.count ? bytes[position + offset] : nil
    }

    mutating func advance(by count: Int = 1) {
        position = min(position + count, bytes.count)
    }

    /// `ws = *( %x20 / %x09 / %x0A / %x0D )`
    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0D:
                position += 1
            case 0x0A:
                position += 1
                line += 1
                columnOffset = position
                column = 1
            default:
                return
            }
        }
    }

    /// The line and column of the current position.
    mutating func lineAndColumn() -> (line: Int, column: Int) {
        while columnOffset < position {
            if bytes[columnOffset] & 0xC0 != 0x80 { column += 1 }
            columnOffset += 1
        }
        return (line, column)
    }

    /// Whether a comment starts here: `#`, `//` or `/*`, none of which JSON has.
    var atComment: Bool {
        current == UInt8(ascii: "#")
            || (current == UInt8(ascii: "/") && (peek(1) == UInt8(ascii: "/") || peek(1) == UInt8(ascii: "*")))
    }

    /// The run of characters from `start` up to the next space, bracket, comma, colon or quote:
    /// what a user meant as one token (`relu`, `NaN`, `0x1F`), cut with `…` after `limit` bytes.
    func word(from start: Int, limit: Int = 40) -> String {
        var end = start
        while end < bytes.count, end - start < limit, !JSONScanner.endsWord(bytes[end]) { end += 1 }
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        let cut = end < bytes.count && !JSONScanner.endsWord(bytes[end])
        return String(decoding: bytes[start..<end], as: UTF8.self) + (cut ? "…" : "")
    }

    private static func endsWord(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x00...0x20, UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "["), UInt8(ascii: "]"),
            UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "#"):
            true
        default:
            false
        }
    }

    /// What stands at the position, for "found …": `'x'`, `U+0007`, or `the end of the file`.
    var currentDescription: String {
        guard let byte = current else { return "the end of the file" }
        if byte < 0x20 || byte == 0x7F { return JSONScanner.codePoint(UInt32(byte)) }
        var end = position + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        return "'" + String(decoding: bytes[position..<end], as: UTF8.self) + "'"
    }

    /// `U+000A`: how a character that cannot be shown is named.
    static func codePoint(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
