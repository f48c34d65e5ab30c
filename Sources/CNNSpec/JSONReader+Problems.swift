/// What the JSON reader says when the text is not JSON: the habits YAML, JavaScript and Python
/// allow (comments, single quotes, bare words, `NaN`, `True`) each get their own message, so that
/// the user learns what to write instead.
extension JSONReader {
    /// Spellings of NaN and infinity that other languages print and JSON does not have.
    static let nonFiniteWords: Set<String> = [
        "NaN", "nan", "Infinity", "-Infinity", "inf", "-inf", ".nan", ".inf", "-.inf", "-NaN", "-nan",
    ]

    /// Literals spelled as Python, YAML or other languages spell them.
    static let misspelledLiterals: Set<String> = [
        "True", "TRUE", "False", "FALSE", "None", "Null", "NULL", "nil", "undefined", "yes", "no", "on", "off", "~",
    ]

    /// The diagnostic for what stands at the position where `expected` is due: a comment or a
    /// single-quoted string gets its own message, anything else "expected …, found …".
    mutating func problem(expecting expected: String) -> Diagnostic {
        let location = location()
        if scanner.atComment { return .jsonComment(at: location) }
        if scanner.current == UInt8(ascii: "'") { return .jsonSingleQuotes(at: location) }
        return .jsonExpected(expected, found: scanner.currentDescription, at: location)
    }

    /// Why `word`, standing at `location` where a value is due, is not one.
    mutating func valueProblem(word: String, at location: SourceLocation) -> Diagnostic {
        if word.isEmpty || scanner.atComment { return problem(expecting: "a value") }
        if Self.nonFiniteWords.contains(word) { return .jsonNonFinite(word, at: location) }
        if Self.misspelledLiterals.contains(word) { return .jsonMisspelledLiteral(word, at: location) }
        switch scanner.current {
        case UInt8(ascii: "+"):
            return .jsonPlusSign(at: location)
        case UInt8(ascii: "."):
            return .jsonMalformedNumber(word, at: location)
        default:
            return .jsonBareWord(word, at: location)
        }
    }

    /// Why what stands where a member's key is due is not one: an unquoted key, a single-quoted
    /// one, a comment, or something else.
    mutating func keyProblem() -> Diagnostic {
        let word = scanner.word(from: scanner.position)
        if word.isEmpty || scanner.atComment { return problem(expecting: "a key in double quotes") }
        return .jsonUnquotedKey(word, at: location())
    }
}
