/// Parses a spec file into a `ModelSpec`, collecting every diagnostic instead of stopping at the first.
///
///     spec   := mapping { $schema?: any, cnnc?: 1, name?: Identifier, description?: string, input: input,
///                         layers: [layer], limits?: limits }
///     input  := mapping { shape: [int] }
///     limits := mapping { max_params?: int, max_macs?: int, max_activation_bytes?: int }
///     layer  := mapping { type: string, name?: Identifier, inputs?: [string] | string, <operation keys> }
public struct SpecParser {
    private let file: SourceFile
    private var diagnostics: [Diagnostic] = []

    /// Parses `file`; the spec is nil when the document could not be read at all.
    public static func parse(_ file: SourceFile) -> (spec: ModelSpec?, diagnostics: [Diagnostic]) {
        var parser = SpecParser(file: file)
        let spec = parser.parseDocument()
        return (spec, parser.diagnostics)
    }

    private init(file: SourceFile) {
        self.file = file
    }

    private mutating func report(_ diagnostic: Diagnostic) {
        diagnostics.append(diagnostic)
    }

    private mutating func take<T>(_ result: Result<T, Diagnostic>) -> T? {
        switch result {
        case .success(let value): return value
        case .failure(let diagnostic):
            report(diagnostic)
            return nil
        }
    }

    /// The file's root value, read as strict JSON for a `.json` path and as YAML otherwise, and
    /// the problems that stopped reading; the value is nil for an empty document or after a problem.
    static func readDocument(_ file: SourceFile) -> (value: SpecValue?, problems: [Diagnostic]) {
        if file.isJSON {
            let (value, problems) = JSONReader.read(file)
            return (problems.isEmpty ? value : nil, problems)
        }
        var reader = YAMLReader(file: file)
        switch reader.read() {
        case .success(let value): return (value, [])
        case .failure(let problem): return (nil, [problem])
        }
    }

    /// The root value; nil, with the reason reported, when the file could not be read or holds no value.
    private mutating func readRoot() -> SpecValue? {
        let (root, problems) = SpecParser.readDocument(file)
        diagnostics += problems
        if root == nil && problems.isEmpty { report(.emptySpec(at: file.location(line: 1, column: 1))) }
        return root
    }

    private mutating func parseDocument() -> ModelSpec? {
        let start = file.location(line: 1, column: 1)
        guard let root = readRoot() else { return nil }
        guard case .mapping(let pairs) = root.kind else {
            report(.wrongType(key: "spec", expected: "a mapping with 'input' and 'layers'", found: root))
            return nil
        }
        if KerasHabits.isModelFile(pairs.map(\.key.value)) {
            let className = pairs.first { $0.key.value == "class_name" }.flatMap { try? $0.value.string(for: "class_name").get() }
            report(.kerasModelFile(className: className, at: start))
            return nil
        }
        var spec = ModelSpec(file: file.path, location: start)
        var inputGivenAsKerasKey = false
        for (key, value) in pairs {
            switch key.value {
            case "cnnc":
                guard let version = take(value.integer(for: "cnnc")) else { continue }
                guard version == 1 else {
                    report(.unknownVersion(String(version), at: value.location))
                    continue
                }
                spec.version = Located(version, at: value.location)
            case "name":
                guard let name = take(value.string(for: "name")) else { continue }
                if let problem = Identifier.problem(with: name, forType: true) {
                    report(.invalidName(name, what: "model name", at: value.location, reason: problem))
                } else {
                    spec.name = Located(name, at: value.location)
                }
            case "description":
                if let text = take(value.string(for: "description")) {
                    spec.description = Located(text, at: value.location)
                }
            case SpecParser.schemaKey:
                continue
            case "input":
                spec.input = parseInput(value)
            case "limits":
                spec.limits = parseLimits(value)
            case "layers":
                spec.layersLocation = value.location
                guard let elements = take(value.sequence(for: "layers", expected: "a list of layers")) else { continue }
                if elements.isEmpty { report(.emptyLayers(at: value.location)) }
                spec.layers = elements.enumerated().map { parseLayer($1, index: $0) }
            default:
                var diagnostic = Diagnostic.unknownKey(key.value, in: "the spec", allowed: SpecParser.topLevelKeys, at: key.location)
                if let note = KerasHabits.note(forTopLevelKey: key.value, value: value) {
                    diagnostic = Diagnostic.unknownKey(key.value, in: "the spec", note: note, at: key.location)
                    inputGivenAsKerasKey = true
                }
                report(diagnostic)
            }
        }
        if spec.input == nil && !inputGivenAsKerasKey && !pairs.contains(where: { $0.key.value == "input" }) {
            report(.missingKey("input", in: "the spec", at: start))
        }
        if spec.layersLocation == nil {
            report(.missingKey("layers", in: "the spec", at: start))
        }
        return spec
    }

    private mutating func parseInput(_ value: SpecValue) -> InputSpec? {
        guard case .mapping(let pairs) = value.kind else {
            report(.wrongType(key: "input", expected: "a mapping with 'shape'", found: value))
            return nil
        }
        var input = InputSpec(location: value.location)
        var sawShape = false
        for (key, value) in pairs {
            guard key.value == "shape" else {
                report(.unknownKey(key.value, in: "'input'", allowed: SpecParser.inputKeys.map(\.name), at: key.location))
                continue
            }
            sawShape = true
            guard let elements = take(value.sequence(for: "shape", expected: "a list of sizes such as [28, 28, 1]")) else { continue }
            if elements.count > 1, elements[0].isNull {
                let sizes = elements.dropFirst().map { if case .integer(let size) = $0.kind { String(size) } else { "…" } }
                report(
                    Diagnostic.wrongType(key: "shape", expected: "an integer", found: elements[0])
                        .noting("the batch axis is implied: write [\(sizes.joined(separator: ", "))]"))
                continue
            }
            let sizes = elements.compactMap { element in take(element.integer(for: "shape")).map { Located($0, at: element.location) } }
            if sizes.count == elements.count {
                input.shape = Located(sizes, at: value.location)
            }
        }
        if !sawShape {
            report(.missingKey("shape", in: "'input'", at: value.location))
        }
        return input
    }

    private mutating func parseLimits(_ value: SpecValue) -> LimitsSpec? {
        guard case .mapping(let pairs) = value.kind else {
            report(.wrongType(key: "limits", expected: "a mapping such as {max_params: 1000000}", found: value))
            return nil
        }
        var limits = LimitsSpec(location: value.location)
        for (key, value) in pairs {
            let limit: WritableKeyPath<LimitsSpec, Located<Int>?>
            switch key.value {
            case "max_params": limit = \.maxParams
            case "max_macs": limit = \.maxMACs
            case "max_activation_bytes": limit = \.maxActivationBytes
            default:
                report(.unknownKey(key.value, in: "'limits'", allowed: SpecParser.limitKeys.map(\.name), at: key.location))
                continue
            }
            if let number = take(value.integer(for: key.value)) {
                limits[keyPath: limit] = Located(number, at: value.location)
            }
        }
        return limits
    }

    /// Every entry becomes a layer, so that a layer's position in `ModelSpec.layers` is its position
    /// in the file. An entry that is not a mapping is reported and kept as a layer without a type.
    private mutating func parseLayer(_ value: SpecValue, index: Int) -> LayerSpec {
        var layer = LayerSpec(location: value.location)
        guard case .mapping(let pairs) = value.kind else {
            report(.wrongType(key: "layers[\(index)]", expected: "a mapping with 'type'", found: value))
            return layer
        }
        for (key, value) in pairs {
            switch key.value {
            case "type":
                if let type = take(value.string(for: "type")) {
                    layer.type = Located(type, at: value.location)
                }
            case "name":
                guard let name = take(value.string(for: "name")) else { continue }
                if let problem = Identifier.problem(with: name, forType: false) {
                    report(.invalidName(name, what: "layer name", at: value.location, reason: problem))
                } else {
                    layer.name = Located(name, at: value.location)
                }
            case "inputs":
                layer.inputs = parseInputs(value)
            default:
                layer.options.append((key, value))
            }
        }
        if layer.type == nil && !pairs.contains(where: { $0.key.value == "type" }) {
            report(.missingKey("type", in: "layer \(index + 1)", at: value.location))
        }
        return layer
    }

    private mutating func parseInputs(_ value: SpecValue) -> Located<[Located<String>]>? {
        if case .string(let name) = value.kind {
            return Located([Located(name, at: value.location)], at: value.location)
        }
        guard let elements = take(value.sequence(for: "inputs", expected: "a list of layer names")) else { return nil }
        let names = elements.compactMap { element in take(element.string(for: "inputs")).map { Located($0, at: element.location) } }
        return names.count == elements.count ? Located(names, at: value.location) : nil
    }
}

/// Names that become Swift identifiers in generated code.
public enum Identifier {
    static let keywords: Set<String> = [
        "Any", "Self", "Type", "as", "associatedtype", "break", "case", "catch", "class", "continue", "default",
        "defer", "deinit", "do", "else", "enum", "extension", "fallthrough", "false", "fileprivate", "for", "func",
        "guard", "if", "import", "in", "init", "inout", "internal", "is", "let", "nil", "open", "operator",
        "private", "protocol", "public", "repeat", "rethrows", "return", "self", "static", "struct", "subscript",
        "super", "switch", "throw", "throws", "true", "try", "typealias", "var", "where", "while",
    ]

    /// Types the generated model file refers to or declares: a model named after one would
    /// shadow it and fail to compile.
    static let generatedCodeNames: Set<String> = [
        "Activation", "Array", "Bool", "Clamp", "CommandLine", "Data", "Dictionary", "DispatchTime", "Double",
        "Error", "FileHandle", "FileManager", "Float", "FloatStore", "Foundation", "Int", "Int32", "JSONSerialization",
        "MatrixRows", "Never", "NumPyProblem", "Optional", "Patches", "Result", "RowSource", "SIMD16", "Sendable",
        "Set", "String", "Swift", "TileRows", "UInt16", "UInt32", "UInt64", "UInt8", "UnsafeMutablePointer",
        "UnsafeMutableRawPointer", "UnsafePointer", "UnsafeRawPointer", "Vector", "WeightsProblem",
    ]

    /// The names a model may not have: Swift keywords and the types the generated file uses.
    public static var reservedTypeNames: [String] { keywords.union(generatedCodeNames).sorted() }

    /// Why `name` cannot be used, or nil when it is fine.
    public static func problem(with name: String, forType: Bool) -> String? {
        guard let first = name.unicodeScalars.first else { return "it is empty" }
        func isLetter(_ s: Unicode.Scalar) -> Bool { (s >= "A" && s <= "Z") || (s >= "a" && s <= "z") || s == "_" }
        guard isLetter(first) else { return "it must start with a letter or '_'" }
        guard name.unicodeScalars.allSatisfy({ isLetter($0) || ($0 >= "0" && $0 <= "9") }) else {
            return "only letters, digits and '_' are allowed"
        }
        if forType && keywords.contains(name) { return "'\(name)' is a Swift keyword" }
        if forType && generatedCodeNames.contains(name) {
            return "'\(name)' is a type the generated Swift uses (from the standard library, Foundation or cnnc's kernels)"
        }
        if !forType && name == "input" { return "'input' names the model input" }
        return nil
    }
}
