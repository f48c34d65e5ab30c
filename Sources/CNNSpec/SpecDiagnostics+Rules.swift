/// The front end's codes as rules, alphabetically: one per code of `SpecDiagnostics.swift`.
extension DiagnosticRule {
    /// The front end's rules.
    public static let specRules: [DiagnosticRule] = [
        DiagnosticRule(
            .aliasKey, .error, "Alias used as a mapping key",
            "A YAML alias (*name) stands where a mapping key is due. Write the key out; aliases are allowed as values."),
        DiagnosticRule(
            .duplicateKey, .error, "Duplicate key",
            "A mapping gives the same key twice; YAML and JSON readers disagree on which one wins, so cnnc accepts neither."
        ),
        DiagnosticRule(
            .emptyLayers, .error, "Empty layer list", "'layers' is an empty list; a model needs at least one layer."),
        DiagnosticRule(
            .emptySpec, .error, "Empty spec",
            "The file holds no value (nothing, or only comments); a spec is a mapping with 'input' and 'layers'."),
        DiagnosticRule(
            .fileTooLarge, .error, "File too large", "The file is larger than a model spec can reasonably be (8 MiB)."),
        DiagnosticRule(
            .integerOverflow, .error, "Integer overflow", "An integer does not fit in 64 bits."),
        DiagnosticRule(
            .invalidEncoding, .error, "Not UTF-8 text",
            "The file is not valid UTF-8 or holds a NUL byte; a spec is a UTF-8 text file."),
        DiagnosticRule(
            .invalidName, .error, "Invalid name",
            "A model or layer name is not a letter or '_' followed by letters, digits and '_', or is reserved: a Swift keyword or a type the generated Swift uses (model names), 'input' (layer names)."
        ),
        DiagnosticRule(
            .kerasModelFile, .error, "Keras model file",
            "The file is a Keras model as model.to_json() writes it, not a cnnc spec; write 'input' and 'layers' in cnnc's words."
        ),
        DiagnosticRule(
            .missingKey, .error, "Missing key",
            "A required key is absent; the diagnostic points at the mapping that lacks it, and a misspelled key is reported once, as unknown."
        ),
        DiagnosticRule(
            .notFinite, .error, "Not a finite number", "A number is NaN or infinite where a finite number is due."),
        DiagnosticRule(
            .parseError, .error, "Syntax error",
            "The file is not valid YAML, or (for a .json file) not strict RFC 8259 JSON."),
        DiagnosticRule(
            .tooManyValues, .error, "Too many values",
            "The document expands to more than a million values, as YAML aliases that repeat aliases do."),
        DiagnosticRule(
            .unknownKey, .error, "Unknown key",
            "A mapping has a key that it does not take; a note suggests the key that was probably meant, or says where a Keras habit's meaning goes."
        ),
        DiagnosticRule(
            .unknownVersion, .error, "Unknown format version", "'cnnc:' names a spec format version other than 1."),
        DiagnosticRule(.unreadableFile, .error, "Unreadable file", "The file does not exist or cannot be read."),
        DiagnosticRule(
            .wrongType, .error, "Wrong type",
            "A value has the wrong kind: a string where an integer is due, a mapping where a list is due, a Python tuple."
        ),
    ]
}
