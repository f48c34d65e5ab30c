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

    static func syntaxError(json: Bool, problem: String, at location: SourceLocation, context: String?, contextLocation: SourceLocation?) -> Diagnostic {
        var diagnostic = Diagnostic(.error, .parseError, "\(json ? "JSON" : "YAML") syntax error: \(problem)", at: location)
        if let context {
            diagnostic = diagnostic.noting(context, at: contextLocation)
        }
        return diagnostic
    }

    static func tooManyValues(limit: Int, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, .tooManyValues, "the spec expands to more than \(limit) values", at: location)
            .noting("aliases that repeat aliases grow exponentially; a model spec never needs this")
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
