/// Strings, numbers and literals, and the diagnostics for what stands where one of them is due.
extension JSONReader {
    /// `value = false / null / true / number / string` (objects and arrays are `parseValue`'s).
    mutating func parseScalar() throws(Diagnostic) -> SpecValue {
        let location = location()
        switch scanner.current {
        case UInt8(ascii: "\""):
            return SpecValue(.string(try parseString(at: location)), at: location)
        case let byte? where byte == UInt8(ascii: "-") || Self.isDigit(byte):
            return SpecValue(try parseNumber(at: location), at: location)
        default:
            let word = scanner.word(from: scanner.position)
            let kind: SpecValue.Kind
            switch word {
            case "true": kind = .bool(true)
            case "false": kind = .bool(false)
            case "null": kind = .null
            default: throw valueProblem(word: word, at: location)
            }
            scanner.advance(by: word.utf8.count)
            return SpecValue(kind, at: location)
        }
    }

    /// `number = [ minus ] int [ frac ] [ exp ]`, with `int = zero / ( digit1-9 *DIGIT )`,
    /// `frac = decimal-point 1*DIGIT` and `exp = e [ minus / plus ] 1*DIGIT`. A number without
    /// fraction and exponent is an integer, `.integerOverflow` when it does not fit `Int`.
    mutating func parseNumber(at location: SourceLocation) throws(Diagnostic) -> SpecValue.Kind {
        let start = scanner.position
        let negative = scanner.current == UInt8(ascii: "-")
        if negative { scanner.advance() }
        guard let first = scanner.current, Self.isDigit(first) else {
            let word = scanner.word(from: start)
            if Self.nonFiniteWords.contains(word) { throw .jsonNonFinite(word, at: location) }
            throw .jsonMissingDigit(after: "-", at: self.location())
        }
        if first == UInt8(ascii: "0"), let next = scanner.peek(1), Self.isDigit(next) {
            throw .jsonLeadingZero(scanner.word(from: start), at: location)
        }
        let integer = scanInteger(negative: negative)
        var isInteger = true
        if scanner.current == UInt8(ascii: ".") {
            isInteger = false
            try skipDigits(after: ".")
        }
        if scanner.current == UInt8(ascii: "e") || scanner.current == UInt8(ascii: "E") {
            isInteger = false
            if scanner.peek(1) == UInt8(ascii: "+") || scanner.peek(1) == UInt8(ascii: "-") { scanner.advance() }
            try skipDigits(after: String(UnicodeScalar(scanner.current ?? 0)))
        }
        if let next = scanner.current, next >= 0x80 || Self.isDigit(next) || next == UInt8(ascii: ".") || next == UInt8(ascii: "_")
            || (next | 0x20 >= UInt8(ascii: "a") && next | 0x20 <= UInt8(ascii: "z"))
        {
            throw .jsonMalformedNumber(scanner.word(from: start), at: location)
        }
        if isInteger, let integer { return .integer(integer) }
        let text = String(decoding: scanner.bytes[start..<scanner.position], as: UTF8.self)
        return isInteger ? .integerOverflow(text) : .float(Double(text) ?? .nan)
    }

    /// `int = zero / ( digit1-9 *DIGIT )` after the sign: steps over the digits and returns their
    /// value, negated when `negative`, or nil when it does not fit `Int`.
    private mutating func scanInteger(negative: Bool) -> Int? {
        var value: Int? = 0
        while let byte = scanner.current, Self.isDigit(byte) {
            if let current = value {
                let digit = Int(byte - UInt8(ascii: "0"))
                let (shifted, overflow) = current.multipliedReportingOverflow(by: 10)
                let (next, carry) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
                value = overflow || carry ? nil : next
            }
            scanner.advance()
        }
        return value
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func skipDigits() {
        while let byte = scanner.current, Self.isDigit(byte) { scanner.advance() }
    }

    /// Steps over `mark` (`.`, `e` or a sign), then over digits, of which there must be one.
    private mutating func skipDigits(after mark: String) throws(Diagnostic) {
        scanner.advance()
        guard let byte = scanner.current, Self.isDigit(byte) else { throw .jsonMissingDigit(after: mark, at: location()) }
        skipDigits()
    }

    /// `string = quotation-mark *char quotation-mark`, where `char` is any character from U+0020
    /// on except `"` and `\`, or an escape; read from the opening quote at `location`.
    mutating func parseString(at location: SourceLocation) throws(Diagnostic) -> String {
        let bytes = scanner.bytes
        var index = scanner.position + 1
        var runStart = index
        var decoded: [UInt8]?
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text: String
                if var escaped = decoded {
                    escaped += bytes[runStart..<index]
                    text = String(decoding: escaped, as: UTF8.self)
                } else {
                    text = String(decoding: bytes[runStart..<index], as: UTF8.self)
                }
                scanner.advance(by: index + 1 - scanner.position)
                return text
            }
            if byte == UInt8(ascii: "\\") {
                var escaped = decoded ?? []
                escaped += bytes[runStart..<index]
                scanner.advance(by: index - scanner.position)
                index += try parseEscape(into: &escaped, stringStart: location)
                decoded = escaped
                runStart = index
                continue
            }
            if byte < 0x20 {
                scanner.advance(by: index - scanner.position)
                if byte == UInt8(ascii: "\n") { throw .jsonLineBreakInString(at: self.location(), start: location) }
                throw .jsonControlCharacter(JSONScanner.codePoint(UInt32(byte)), at: self.location())
            }
            index += 1
        }
        throw .jsonUnterminatedString(at: location)
    }

    /// `escape = %x5C ( %x22 / %x5C / %x2F / %x62 / %x66 / %x6E / %x72 / %x74 / %x75 4HEXDIG )`
    /// at the backslash: appends the character's UTF-8 and returns how many bytes the escape took.
    /// A surrogate pair written as two `\u` escapes is one character; half of a pair is an error.
    private mutating func parseEscape(into decoded: inout [UInt8], stringStart: SourceLocation) throws(Diagnostic) -> Int {
        let location = location()
        guard let letter = scanner.peek(1) else { throw .jsonUnterminatedString(at: stringStart) }
        if let byte = Self.escapes[letter] {
            decoded.append(byte)
            return 2
        }
        guard letter == UInt8(ascii: "u") else {
            scanner.advance()
            throw .jsonInvalidEscape(scanner.currentDescription, at: location)
        }
        guard let unit = hexQuad(at: 2) else { throw .jsonInvalidUnicodeEscape(at: location) }
        var value = unit
        var length = 6
        if (0xD800...0xDBFF).contains(unit), scanner.peek(6) == UInt8(ascii: "\\"), scanner.peek(7) == UInt8(ascii: "u"),
            let low = hexQuad(at: 8), (0xDC00...0xDFFF).contains(low)
        {
            value = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
            length = 12
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw .jsonLoneSurrogate(String(decoding: scanner.bytes[scanner.position..<(scanner.position + 6)], as: UTF8.self), at: location)
        }
        UTF8.encode(scalar) { decoded.append($0) }
        return length
    }

    /// The letter after a backslash, and the byte it stands for; `u` is read apart.
    private static let escapes: [UInt8: UInt8] = [
        UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F, UInt8(ascii: "b"): 0x08,
        UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09,
    ]

    /// Four hexadecimal digits `offset` bytes past the position, as a number.
    private func hexQuad(at offset: Int) -> UInt32? {
        var value: UInt32 = 0
        for index in (scanner.position + offset)..<(scanner.position + offset + 4) {
            guard index < scanner.bytes.count, let digit = Self.hexDigit(scanner.bytes[index]) else { return nil }
            value = value << 4 | digit
        }
        return value
    }

    private static func hexDigit(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
