/// Reads a `.json` spec as strict JSON (RFC 8259) into the same located `SpecValue`s as
/// `YAMLReader`: a value's location is its first character, a key's its opening quote.
///
/// Whatever YAML would take but JSON does not (comments, trailing commas, single quotes, bare
/// words, `NaN`) is a `parse-error` at its position. A repeated key is reported at each repetition
/// and reading goes on, so that all of them are reported at once. Objects and arrays are read with
/// an explicit stack, not recursion: nesting deeper than `maximumNesting` is an error, and
/// collections deeper than `YAMLReader.maximumDepth` are checked but kept only as `.tooDeep`, as
/// the YAML path keeps them.
struct JSONReader {
    /// libyaml refuses nesting deeper than this; so does the JSON path.
    static let maximumNesting = 1000

    let file: SourceFile
    var scanner: JSONScanner
    /// Every value read, kept or not; capped at `YAMLReader.maximumValues`.
    private var values = 0
    private var problems: [Diagnostic] = []

    /// Reads `file`'s text. The root value is nil for a text of only whitespace; it is also nil
    /// when `diagnostics` is not empty, which then says every repeated key and what stopped reading.
    static func read(_ file: SourceFile) -> (root: SpecValue?, diagnostics: [Diagnostic]) {
        var text = file.text
        return text.withUTF8 { bytes in
            var reader = JSONReader(file: file, scanner: JSONScanner(bytes: bytes))
            return reader.read()
        }
    }

    private init(file: SourceFile, scanner: JSONScanner) {
        self.file = file
        self.scanner = scanner
    }

    /// The location of the scanner's position.
    mutating func location() -> SourceLocation {
        let (line, column) = scanner.lineAndColumn()
        return file.location(line: line, column: column)
    }

    /// An object or array being read, with what it has so far.
    private struct Container {
        var location: SourceLocation
        var isObject: Bool
        /// False past `YAMLReader.maximumDepth`: the contents are checked but not kept.
        var keeps: Bool
        var elements: [SpecValue] = []
        var members: [(key: Located<String>, value: SpecValue)] = []
        /// Where each key was first given, to report a repetition.
        var firstKeys: [String: SourceLocation] = [:]
        /// The key whose value is read next.
        var key: Located<String>?

        var close: UInt8 { isObject ? UInt8(ascii: "}") : UInt8(ascii: "]") }

        mutating func append(_ value: SpecValue) {
            guard keeps else { return }
            if !isObject {
                elements.append(value)
            } else if let key {
                members.append((key, value))
            }
        }

        var value: SpecValue {
            guard keeps else { return SpecValue(.tooDeep, at: location) }
            return SpecValue(isObject ? .mapping(members) : .sequence(elements), at: location)
        }
    }

    /// `JSON-text = ws value ws`
    private mutating func read() -> (root: SpecValue?, diagnostics: [Diagnostic]) {
        scanner.skipWhitespace()
        guard !scanner.atEnd else { return (nil, []) }
        do throws(Diagnostic) {
            let root = try parseValue()
            scanner.skipWhitespace()
            if !scanner.atEnd {
                throw scanner.atComment ? .jsonComment(at: location()) : .jsonExtraText(at: location())
            }
            return problems.isEmpty ? (root, []) : (nil, problems)
        } catch {
            return (nil, problems + [error])
        }
    }

    /// `value = false / null / true / object / array / number / string`
    ///
    /// `object = begin-object [ member *( value-separator member ) ] end-object`;
    /// `array = begin-array [ value *( value-separator value ) ] end-array`. Read with a stack of
    /// open containers: each value finished is added to the innermost one, which then either
    /// expects another value or closes and is itself finished.
    private mutating func parseValue() throws(Diagnostic) -> SpecValue {
        var open: [Container] = []
        values: while true {
            values += 1
            if values > YAMLReader.maximumValues {
                throw .tooManyValues(limit: YAMLReader.maximumValues, at: location())
            }
            var value: SpecValue
            if let container = try openContainer(depth: open.count + 1) {
                open.append(container)
                if try parseFirstEntry(in: &open[open.count - 1]) { continue values }
                value = open.removeLast().value
            } else {
                value = try parseScalar()
            }
            while !open.isEmpty {
                open[open.count - 1].append(value)
                if try parseSeparator(in: &open[open.count - 1]) { continue values }
                value = open.removeLast().value
            }
            return value
        }
    }

    /// `begin-object = ws %x7B ws`, `begin-array = ws %x5B ws`: a container opening here, or nil.
    private mutating func openContainer(depth: Int) throws(Diagnostic) -> Container? {
        guard let byte = scanner.current, byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") else { return nil }
        let location = location()
        guard depth <= JSONReader.maximumNesting else { throw .jsonTooDeep(limit: JSONReader.maximumNesting, at: location) }
        scanner.advance()
        scanner.skipWhitespace()
        return Container(location: location, isObject: byte == UInt8(ascii: "{"), keeps: depth < YAMLReader.maximumDepth)
    }

    /// Right after the opening bracket: the end of an empty container (false), or the first
    /// member's key or nothing before the first element (true: a value follows).
    private mutating func parseFirstEntry(in container: inout Container) throws(Diagnostic) -> Bool {
        if scanner.current == container.close {
            scanner.advance()
            return false
        }
        if container.isObject { try parseKey(in: &container) }
        return true
    }

    /// `value-separator = ws %x2C ws` followed by the next member's key, or the closing bracket.
    /// True when another value follows.
    private mutating func parseSeparator(in container: inout Container) throws(Diagnostic) -> Bool {
        scanner.skipWhitespace()
        if scanner.current == container.close {
            scanner.advance()
            return false
        }
        guard scanner.current == UInt8(ascii: ",") else {
            throw problem(expecting: container.isObject ? "',' or '}' after an object member" : "',' or ']' after a list element")
        }
        let comma = location()
        scanner.advance()
        scanner.skipWhitespace()
        if scanner.current == container.close {
            throw .jsonTrailingComma(before: Character(Unicode.Scalar(container.close)), at: comma)
        }
        if container.isObject { try parseKey(in: &container) }
        return true
    }

    /// `member = string name-separator value`, up to the value; `name-separator = ws %x3A ws`.
    /// A repeated key is reported and reading goes on.
    private mutating func parseKey(in container: inout Container) throws(Diagnostic) {
        let location = location()
        guard scanner.current == UInt8(ascii: "\"") else { throw keyProblem() }
        let key = try parseString(at: location)
        if let first = container.firstKeys[key] {
            problems.append(.duplicateKey(key, at: location, first: first))
        } else {
            container.firstKeys[key] = location
        }
        scanner.skipWhitespace()
        guard scanner.current == UInt8(ascii: ":") else { throw problem(expecting: "':' after the key \"\(key)\"") }
        scanner.advance()
        scanner.skipWhitespace()
        container.key = Located(key, at: location)
    }
}
