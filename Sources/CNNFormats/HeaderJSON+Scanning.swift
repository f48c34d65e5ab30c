/// The lexical half of `JSONParser`: strings with escapes, numbers, literal words and whitespace.
extension JSONParser {
    /// A string starting at the opening quote; escapes decoded, surrogate pairs joined.
    mutating func parseString() throws(Failure) -> String {
        position += 1
        var utf8: [UInt8] = []
        while true {
            guard position < bytes.count else { throw failure("unexpected end of the header inside a string") }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &utf8)
            case 0..<0x20:
                throw failure("control character \(hex(byte)) inside a string; it must be escaped")
            default:
                utf8.append(byte)
                position += 1
            }
        }
    }

    private mutating func parseEscape(into utf8: inout [UInt8]) throws(Failure) {
        let start = position
        position += 1
        guard position < bytes.count else { throw failure("unexpected end of the header inside a string") }
        let letter = bytes[position]
        position += 1
        let simple: [UInt8: UInt8] = [
            UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5c, UInt8(ascii: "/"): 0x2f, UInt8(ascii: "b"): 0x08,
            UInt8(ascii: "f"): 0x0c, UInt8(ascii: "n"): 0x0a, UInt8(ascii: "r"): 0x0d, UInt8(ascii: "t"): 0x09,
        ]
        if let replacement = simple[letter] {
            utf8.append(replacement)
            return
        }
        guard letter == UInt8(ascii: "u") else {
            throw Failure(message: "invalid escape '\\\(Character(Unicode.Scalar(letter)))' in a string", offset: start)
        }
        var code = try parseHexQuad(escapeStart: start)
        if (0xD800..<0xDC00).contains(code) {
            guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                bytes[position + 1] == UInt8(ascii: "u")
            else { throw Failure(message: "unpaired surrogate in a \\u escape", offset: start) }
            position += 2
            let low = try parseHexQuad(escapeStart: start)
            guard (0xDC00..<0xE000).contains(low) else {
                throw Failure(message: "unpaired surrogate in a \\u escape", offset: start)
            }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00..<0xE000).contains(code) {
            throw Failure(message: "unpaired surrogate in a \\u escape", offset: start)
        }
        // Surrogates are excluded above, so every remaining code is a scalar.
        utf8.append(contentsOf: Array(String(Character(Unicode.Scalar(code)!)).utf8))
    }

    private mutating func parseHexQuad(escapeStart: Int) throws(Failure) -> UInt32 {
        guard position + 4 <= bytes.count,
            let code = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16),
            bytes[position..<position + 4].allSatisfy({ $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "-") })
        else { throw Failure(message: "a \\u escape needs four hexadecimal digits", offset: escapeStart) }
        position += 4
        return code
    }

    /// A number's literal text, checked against JSON's grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    mutating func parseNumber() throws(Failure) -> String {
        let start = position
        _ = consume("-")
        if consume("0") {
            if position < bytes.count, isDigit(bytes[position]) {
                throw Failure(message: "numbers cannot have leading zeros", offset: start)
            }
        } else {
            guard skipDigits() > 0 else { throw failure("expected a digit in a number") }
        }
        if consume(".") {
            guard skipDigits() > 0 else { throw failure("expected a digit after the decimal point") }
        }
        if consume("e") || consume("E") {
            if !consume("+") { _ = consume("-") }
            guard skipDigits() > 0 else { throw failure("expected a digit in the exponent") }
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private mutating func skipDigits() -> Int {
        let start = position
        while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        return position - start
    }

    mutating func expectWord(_ word: String) throws(Failure) {
        let utf8 = Array(word.utf8)
        guard bytes[position...].starts(with: utf8) else {
            throw failure("unexpected \(describeNext()), expected a value")
        }
        position += utf8.count
    }

    mutating func skipWhitespace() {
        while position < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[position]) { position += 1 }
    }

    /// Consumes `character` when it is next.
    mutating func consume(_ character: Unicode.Scalar) -> Bool {
        guard position < bytes.count, bytes[position] == UInt8(ascii: character) else { return false }
        position += 1
        return true
    }

    /// The next byte as a user would name it: `'x'`, `byte 0x07` or `end of the header`.
    func describeNext() -> String {
        guard position < bytes.count else { return "end of the header" }
        let byte = bytes[position]
        return (0x21..<0x7f).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte \(hex(byte))"
    }

    func failure(_ message: String) -> Failure {
        Failure(message: message, offset: position)
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private func hex(_ byte: UInt8) -> String {
        "0x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
    }
}
