import Yams

/// Turns YAML text into located `SpecValue`s. The only place that talks to Yams; `.json` specs
/// are read by `JSONReader` instead.
///
/// Guards, so that no input can crash or hang the compiler: libyaml refuses nesting deeper than 1000
/// levels; aliases used as mapping keys are refused before Yams hashes them (hashing an alias
/// bomb is exponential); collections deeper than `maximumDepth` are cut off; and the number of
/// values visited is capped, which bounds alias expansion.
struct YAMLReader {
    static let maximumDepth = 8
    static let maximumValues = 1_000_000
    /// An explicit `!!str` keeps a plain scalar a string.
    static let stringTag = "tag:yaml.org,2002:str"

    let file: SourceFile
    private var visited = 0

    init(file: SourceFile) {
        self.file = file
    }

    /// The document's root value, nil for an empty document, or the diagnostic that stopped reading.
    mutating func read() -> Result<SpecValue?, Diagnostic> {
        if let aliasKey = AliasKeyScanner.firstAliasKey(in: file.text) {
            return .failure(.aliasKey(at: file.location(line: aliasKey.line, column: aliasKey.column)))
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: file.text, .basic)
        } catch let error as YamlError {
            return .failure(diagnostic(for: error))
        } catch {
            return .failure(.syntaxError(problem: "\(error)", at: file.location(line: 1, column: 1), context: nil, contextLocation: nil))
        }
        guard let node else { return .success(nil) }
        do {
            return .success(try convert(node, depth: 1))
        } catch {
            return .failure(error)
        }
    }

    private func location(_ mark: Mark?) -> SourceLocation {
        file.location(line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    private mutating func convert(_ node: Node, depth: Int) throws(Diagnostic) -> SpecValue {
        visited += 1
        if visited > YAMLReader.maximumValues {
            throw .tooManyValues(limit: YAMLReader.maximumValues, at: location(node.mark))
        }
        switch node {
        case .scalar(let scalar):
            let kind: SpecValue.Kind =
                scalar.style == .plain && scalar.tag.description != Self.stringTag
                ? CoreSchema.resolve(plain: scalar.string) : .string(scalar.string)
            return SpecValue(kind, at: location(scalar.mark))
        case .sequence(let sequence):
            guard depth < YAMLReader.maximumDepth else { return SpecValue(.tooDeep, at: location(sequence.mark)) }
            var elements: [SpecValue] = []
            elements.reserveCapacity(sequence.count)
            for element in sequence {
                elements.append(try convert(element, depth: depth + 1))
            }
            return SpecValue(.sequence(elements), at: location(sequence.mark))
        case .mapping(let mapping):
            guard depth < YAMLReader.maximumDepth else { return SpecValue(.tooDeep, at: location(mapping.mark)) }
            var pairs: [(key: Located<String>, value: SpecValue)] = []
            for (key, value) in mapping {
                let keyValue = try convert(key, depth: depth + 1)
                let keyText: String
                switch keyValue.kind {
                case .string(let text): keyText = text
                case .integer, .float, .bool, .null, .integerOverflow: keyText = key.scalar?.string ?? ""
                case .sequence, .mapping, .tooDeep:
                    throw .wrongType(key: "key", expected: "a plain string", found: keyValue)
                }
                pairs.append((Located(keyText, at: keyValue.location), try convert(value, depth: depth + 1)))
            }
            return SpecValue(.mapping(PythonTuple.rejoin(pairs)), at: location(mapping.mark))
        case .alias(let alias):
            return SpecValue(.null, at: location(alias.mark))
        }
    }

    private func diagnostic(for error: YamlError) -> Diagnostic {
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            return .syntaxError(
                problem: problem, at: location(mark),
                context: context.map { $0.text }, contextLocation: context.map { location($0.mark) })
        case .reader(let problem, let offset, _, _):
            return .syntaxError(problem: problem, at: location(atUTF8Offset: offset ?? 0), context: nil, contextLocation: nil)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.first ?? ""
            let first = location(context.mark)
            let second = DuplicateKeyFinder.secondOccurrence(of: key, after: context.mark, in: file.text)
            return .duplicateKey(key, at: second.map { file.location(line: $0.line, column: $0.column) } ?? first, first: first)
        case .memory:
            return .syntaxError(problem: "out of memory", at: location(nil), context: nil, contextLocation: nil)
        case .dataCouldNotBeDecoded:
            return .invalidUTF8(at: location(nil))
        case .writer(let problem), .emitter(let problem), .representer(let problem):
            return .syntaxError(problem: problem, at: location(nil), context: nil, contextLocation: nil)
        case .no:
            return .syntaxError(problem: "unknown error", at: location(nil), context: nil, contextLocation: nil)
        }
    }

    private func location(atUTF8Offset offset: Int) -> SourceLocation {
        let prefix = file.text.utf8.prefix(max(0, offset))
        let text = String(decoding: prefix, as: UTF8.self)
        let line = text.reduce(into: 1) { count, character in if character == "\n" { count += 1 } }
        let column = (text.split(separator: "\n", omittingEmptySubsequences: false).last?.unicodeScalars.count ?? 0) + 1
        return file.location(line: line, column: column)
    }
}
