/// The front end's diagnostics, alphabetically. Each factory fixes its code and wording.
extension DiagnosticCode {
    public static let aliasKey = DiagnosticCode(rawValue: "alias-key")
    public static let duplicateKey = DiagnosticCode(rawValue: "duplicate-key")
    public static let emptyLayers = DiagnosticCode(rawValue: "empty-layers")
    public static let emptySpec = DiagnosticCode(rawValue: "empty-spec")
    public static let fileTooLarge = DiagnosticCode(rawValue: "file-too-large")
    public static let integerOverflow = DiagnosticCode(rawValue: "integer-overflow")
    public static let invalidEncoding = DiagnosticCode(rawValue: "invalid-encoding")
    public static let invalidName = DiagnosticCode(rawValue: "invalid-name")
    public static let kerasModelFile = DiagnosticCode(rawValue: "keras-model-file")
    public static let missingKey = DiagnosticCode(rawValue: "missing-key")
    public static let notFinite = DiagnosticCode(rawValue: "not-finite")
    public static let parseError = DiagnosticCode(rawValue: "parse-error")
    public static let tooManyValues = DiagnosticCode(rawValue: "too-many-values")
    public static let unknownKey = DiagnosticCode(rawValue: "unknown-key")
    public static let unknownVersion = DiagnosticCode(rawValue: "unknown-version")
    public static let unreadableFile = DiagnosticCode(rawValue: "unreadable-file")
    public static let wrongType = DiagnosticCode(rawValue: "wrong-type")
}

extension Diagnostic {
    static func aliasKey(at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, .aliasKey, "an alias cannot be used as a mapping key in a cnnc spec", at: location)
            .noting("write the key out; aliases are allowed as values")
    }

    static func binaryFile(at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, .invalidEncoding, "file contains a NUL byte; a spec is a UTF-8 text file", at: location)
    }

    static func duplicateKey(_ key: String, at location: SourceLocation, first: SourceLocation?) -> Diagnostic {
        let diagnostic = Diagnostic(.error, .duplicateKey, "duplicate key '\(key)' in a mapping", at: location)
        guard let first, first != location else { return diagnostic }
        return diagnostic.noting("'\(key)' is first given here", at: first)
    }

    static func emptyLayers(at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, .emptyLayers, "'layers' is empty; a model needs at least one layer", at: location)
    }

    static func emptySpec(at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, .emptySpec, "the spec is empty", at: location)
            .noting("a spec is a mapping with at least 'input' and 'layers'")
    }

    static func fileTooLarge(limit: Int, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, .fileTooLarge, "file is larger than \(limit >> 20) MiB; this is not a model spec", at: location)
    }

    /// An integer literal that does not fit in 64 bits.
    public static func integerOverflow(key: String, text: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, .integerOverflow, "'\(key)' is \(text), which does not fit in a 64-bit integer", at: location)
    }

    static func invalidUTF8(at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, .invalidEncoding, "file is not valid UTF-8", at: location)
    }

    static func invalidName(_ name: String, what: String, at location: SourceLocation, reason: String) -> Diagnostic {
        Diagnostic(.error, .invalidName, "\(what) '\(name)' is not a valid name: \(reason)", at: location)
    }

    /// The JSON path's syntax errors: each a `parse-error` whose message starts "JSON syntax error".
    private static func json(_ problem: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, .parseError, "JSON syntax error: \(problem)", at: location)
    }

    static func jsonBareWord(_ word: String, at location: SourceLocation) -> Diagnostic {
        json("unexpected '\(word)': JSON strings must be quoted", at: location).noting("write \"\(word)\"")
    }

    static func jsonComment(at location: SourceLocation) -> Diagnostic {
        json("JSON has no comments", at: location).noting("remove the comment, or write the spec in YAML, where '#' starts one")
    }

    static func jsonControlCharacter(_ codePoint: String, at location: SourceLocation) -> Diagnostic {
        json("raw control character \(codePoint) in a string", at: location)
            .noting("write it as an escape, such as \\t or \\u0009")
    }

    static func jsonExpected(_ expected: String, found: String, at location: SourceLocation) -> Diagnostic {
        json("expected \(expected), found \(found)", at: location)
    }

    static func jsonExtraText(at location: SourceLocation) -> Diagnostic {
        json("unexpected text after the JSON value", at: location).noting("only one JSON value per file")
    }

    static func jsonInvalidEscape(_ found: String, at location: SourceLocation) -> Diagnostic {
        json("invalid escape: '\\' followed by \(found)", at: location)
            .noting(#"JSON's escapes are \" \\ \/ \b \f \n \r \t and \u followed by four hex digits"#)
    }

    static func jsonInvalidUnicodeEscape(at location: SourceLocation) -> Diagnostic {
        json("'\\u' must be followed by four hexadecimal digits", at: location)
    }

    static func jsonLeadingZero(_ number: String, at location: SourceLocation) -> Diagnostic {
        json("leading zeros are not allowed: '\(number)'", at: location).noting("write the number without them")
    }

    static func jsonLineBreakInString(at location: SourceLocation, start: SourceLocation) -> Diagnostic {
        json("line break inside a string", at: location)
            .noting("the string starts here; close it with '\"' on its line, or write the line break as \\n", at: start)
    }

    static func jsonLoneSurrogate(_ escape: String, at location: SourceLocation) -> Diagnostic {
        json("'\(escape)' is half of a UTF-16 surrogate pair without the other half", at: location)
            .noting("a lone surrogate is not a Unicode character; cnnc does not accept one")
    }

    static func jsonMalformedNumber(_ text: String, at location: SourceLocation) -> Diagnostic {
        let hex = text.hasPrefix("0x") || text.hasPrefix("0X") || text.hasPrefix("-0x") || text.hasPrefix("-0X")
        return json("'\(text)' is not a JSON number", at: location)
            .noting(hex ? "JSON has no hexadecimal numbers; write it in decimal" : "JSON numbers are written like 3, -0.5 or 1e-3; a string must be quoted")
    }

    static func jsonMisspelledLiteral(_ word: String, at location: SourceLocation) -> Diagnostic {
        json("unexpected '\(word)': JSON's literals are true, false and null", at: location)
    }

    static func jsonMissingDigit(after mark: String, at location: SourceLocation) -> Diagnostic {
        json("expected a digit after '\(mark)' in a number", at: location)
    }

    static func jsonNonFinite(_ word: String, at location: SourceLocation) -> Diagnostic {
        json("\(word) is not JSON", at: location).noting("JSON numbers are finite; write a number")
    }

    static func jsonPlusSign(at location: SourceLocation) -> Diagnostic {
        json("'+' is not allowed before a JSON number", at: location).noting("write the number without it")
    }

    static func jsonSingleQuotes(at location: SourceLocation) -> Diagnostic {
        json("strings in JSON use double quotes", at: location)
    }

    static func jsonTooDeep(limit: Int, at location: SourceLocation) -> Diagnostic {
        json("objects and arrays nested deeper than \(limit) levels", at: location)
    }

    static func jsonTrailingComma(before close: Character, at location: SourceLocation) -> Diagnostic {
        json("trailing comma before '\(close)'", at: location)
            .noting("JSON allows no comma after the last \(close == "]" ? "element" : "member"); remove it")
    }

    static func jsonUnquotedKey(_ word: String, at location: SourceLocation) -> Diagnostic {
        json("object keys must be double-quoted strings", at: location).noting("write \"\(word)\"")
    }

    static func jsonUnterminatedString(at location: SourceLocation) -> Diagnostic {
        json("unterminated string", at: location).noting("the file ends before the closing '\"'")
    }

    /// A required key is absent; reported at the mapping that lacks it.
    /// A Keras model file (`model.to_json()`) given where a spec is due.
    static func kerasModelFile(className: String?, at location: SourceLocation) -> Diagnostic {
        let what = className.map { "a Keras \($0) model" } ?? "a Keras model"
        return Diagnostic(.error, .kerasModelFile, "this is \(what) as model.to_json() writes it, not a cnnc spec", at: location)
            .noting("a spec lists 'input: {shape: [height, width, channels]}' and 'layers:' in cnnc's words ('Conv2D' is 'type: conv2d'); see the README's spec format")
    }

    public static func missingKey(_ key: String, in owner: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, .missingKey, "\(owner) needs key '\(key)'", at: location)
    }

    /// NaN or infinity where a finite number is due.
    public static func notFinite(key: String, found: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, .notFinite, "'\(key)' is \(found); it must be a finite number", at: location)
    }

    /// A syntax error libyaml reports, with its context ("while parsing a flow mapping") as a note.
    static func syntaxError(problem: String, at location: SourceLocation, context: String?, contextLocation: SourceLocation?) -> Diagnostic {
        var diagnostic = Diagnostic(.error, .parseError, "YAML syntax error: \(problem)", at: location)
        if let context {
            diagnostic = diagnostic.noting(context, at: contextLocation)
        }
        return diagnostic
    }

    static func tooManyValues(limit: Int, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, .tooManyValues, "the spec expands to more than \(limit) values", at: location)
            .noting("a model spec never needs this many; in YAML, aliases that repeat aliases grow exponentially")
    }

    /// A key the mapping does not take, with the closest allowed key when it looks like a typo.
    public static func unknownKey(_ key: String, in owner: String, allowed: [String], at location: SourceLocation) -> Diagnostic {
        let suggestion = Suggestions.closest(to: key, in: allowed)
        let diagnostic = Diagnostic(.error, .unknownKey, "unknown key '\(key)' in \(owner)", at: location)
        if let suggestion { return diagnostic.suggesting(suggestion) }
        return diagnostic.noting("\(owner) takes: \(allowed.joined(separator: ", "))")
    }

    /// An unknown key whose note says where its meaning goes instead (a Keras habit).
    public static func unknownKey(_ key: String, in owner: String, note: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, .unknownKey, "unknown key '\(key)' in \(owner)", at: location).noting(note)
    }

    static func unknownVersion(_ version: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, .unknownVersion, "unknown spec format version \(version); this cnnc reads version 1", at: location)
    }

    static func unreadableFile(_ path: String, _ reason: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, .unreadableFile, "cannot read '\(path)': \(reason)", at: location)
    }

    /// A value of the wrong kind: "'filters' must be an integer, found string 'x'".
    public static func wrongType(key: String, expected: String, found: SpecValue) -> Diagnostic {
        let diagnostic = Diagnostic(.error, .wrongType, "'\(key)' must be \(expected), found \(found.kindDescription)", at: found.location)
        if case .string(let text) = found.kind, let list = PythonTuple.listSpelling(of: text) {
            return diagnostic.noting("write \(list): a spec has lists, not Python tuples")
        }
        return diagnostic
    }
}
