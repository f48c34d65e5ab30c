/// The lexical half of `PythonLiteralParser`: strings, integers, keywords and whitespace.
extension PythonLiteralParser {
    /// A string in single or double quotes, with Python's common backslash escapes.
    mutating func parseString() throws(Failure) -> String {
        let quote = characters[position]
        let start = position
        position += 1
        var text = String.UnicodeScalarView()
        while true {
            guard position < characters.count, characters[position] != "\n" else {
                throw Failure(message: "string never ends", offset: start)
            }
            let character = characters[position]
            position += 1
            if character == quote { return String(text) }
            guard character == "\\" else {
                text.append(character)
                continue
            }
            guard position < characters.count else { throw Failure(message: "string never ends", offset: start) }
            let letter = characters[position]
            position += 1
            switch letter {
            case "\\", "'", "\"": text.append(letter)
            case "n": text.append("\n")
            case "t": text.append("\t")
            case "r": text.append("\r")
            case "0": text.append("\0")
            case "x": text.append(try parseHexEscape(digits: 2))
            case "u": text.append(try parseHexEscape(digits: 4))
            default: throw failure("unsupported escape '\\\(letter)' in a string")
            }
        }
    }

    private mutating func parseHexEscape(digits: Int) throws(Failure) -> Unicode.Scalar {
        let end = position + digits
        guard end <= characters.count,
            characters[position..<end].allSatisfy({ $0.properties.isASCIIHexDigit }),
            let code = UInt32(String(String.UnicodeScalarView(characters[position..<end])), radix: 16),
            let scalar = Unicode.Scalar(code)
        else { throw failure("a \\x or \\u escape needs \(digits) hexadecimal digits naming a character") }
        position = end
        return scalar
    }

    /// An integer's digits with an optional `-`; Python 2's `L` suffix, which old numpy wrote in
    /// shapes, is accepted and dropped.
    mutating func parseInteger() throws(Failure) -> String {
        let start = position
        _ = consume("-")
        let digitsStart = position
        while position < characters.count, ("0"..."9").contains(characters[position]) { position += 1 }
        guard position > digitsStart else { throw failure("expected a digit after '-'") }
        let digits = String(String.UnicodeScalarView(characters[start..<position]))
        _ = consume("L")
        if position < characters.count, characters[position] == "." || characters[position] == "e" {
            throw Failure(message: "the header holds a number that is not an integer", offset: start)
        }
        return digits
    }

    /// `True`, `False` or `None`.
    mutating func parseWord() throws(Failure) -> PythonLiteral {
        let words: [(String, PythonLiteral)] = [("True", .bool(true)), ("False", .bool(false)), ("None", .none)]
        for (word, value) in words {
            let scalars = Array(word.unicodeScalars)
            if characters[position...].starts(with: scalars) {
                let end = position + scalars.count
                let next = end < characters.count ? characters[end] : " "
                if !(next.properties.isAlphabetic || ("0"..."9").contains(next) || next == "_") {
                    position = end
                    return value
                }
            }
        }
        throw failure("unexpected \(describeNext()), expected a value")
    }

    mutating func skipWhitespace() {
        while position < characters.count, [" ", "\t", "\n", "\r"].contains(characters[position]) { position += 1 }
    }

    /// Consumes `character` when it is next.
    mutating func consume(_ character: Unicode.Scalar) -> Bool {
        guard position < characters.count, characters[position] == character else { return false }
        position += 1
        return true
    }

    /// The next character as a user would name it: `'x'`, `"'"`, `U+0007` or `end of the header`.
    func describeNext() -> String {
        guard position < characters.count else { return "end of the header" }
        let character = characters[position]
        guard character.properties.isGraphemeBase, character.value > 0x20 else {
            return "character U+" + String(character.value, radix: 16, uppercase: true)
        }
        return character == "'" ? "\"'\"" : "'\(character)'"
    }

    func failure(_ message: String) -> Failure {
        Failure(message: message, offset: position)
    }
}
