/// A Python literal from a `.npy` header: the dict numpy writes with `repr`, and whatever a
/// structured dtype puts in it. Integers keep their digits so that huge ones are reported, not
/// truncated.
indirect enum PythonLiteral: Equatable, Sendable {
    case string(String)
    /// An integer's decimal digits with an optional leading `-` (a Python 2 `L` suffix is dropped).
    case integer(String)
    case bool(Bool)
    case none
    case tuple([PythonLiteral])
    case list([PythonLiteral])
    case dict([Member])

    /// One `key: value` pair of a dict, in file order.
    struct Member: Equatable, Sendable {
        var key: PythonLiteral
        var value: PythonLiteral
    }

    /// The literal as Python's `repr` prints it: `'<f4'`, `(3,)`, `False`.
    var description: String {
        switch self {
        case .string(let text): "'" + text.flatMap { $0 == "\\" || $0 == "'" ? ["\\", $0] : [$0] } + "'"
        case .integer(let digits): digits
        case .bool(let value): value ? "True" : "False"
        case .none: "None"
        case .tuple(let elements) where elements.count == 1: "(" + elements[0].description + ",)"
        case .tuple(let elements): "(" + elements.map(\.description).joined(separator: ", ") + ")"
        case .list(let elements): "[" + elements.map(\.description).joined(separator: ", ") + "]"
        case .dict(let members):
            "{" + members.map { "\($0.key.description): \($0.value.description)" }.joined(separator: ", ") + "}"
        }
    }
}

/// Parses the Python literals numpy writes into `.npy` headers: strings in either quote, integers,
/// `True`/`False`/`None`, tuples (`()`, `(3,)`, `(3, 4)`), lists and dicts, with any whitespace.
/// Nesting is capped so a hostile header cannot overflow the stack.
struct PythonLiteralParser {
    /// Containers may nest this deep; a structured dtype with nested fields needs a few levels.
    static let maximumDepth = 32

    /// What is wrong, in words, and the character offset in the header where it is.
    struct Failure: Error {
        var message: String
        var offset: Int
    }

    let characters: [Unicode.Scalar]
    var position = 0
    private var depth = 0

    /// Parses `text` as one literal, allowing only whitespace around it.
    static func parse(_ text: [Unicode.Scalar]) throws(Failure) -> PythonLiteral {
        var parser = PythonLiteralParser(characters: text)
        let value = try parser.parseValue()
        parser.skipWhitespace()
        if parser.position < text.count {
            throw parser.failure("unexpected \(parser.describeNext()) after the dict")
        }
        return value
    }

    private init(characters: [Unicode.Scalar]) {
        self.characters = characters
    }

    private mutating func parseValue() throws(Failure) -> PythonLiteral {
        skipWhitespace()
        guard position < characters.count else { throw failure("unexpected end of the header, expected a value") }
        switch characters[position] {
        case "'", "\"": return .string(try parseString())
        case "-", "0"..."9": return .integer(try parseInteger())
        case "(": return try parseSequence(closing: ")", makes: PythonLiteral.tuple)
        case "[": return try parseSequence(closing: "]", makes: PythonLiteral.list)
        case "{": return try parseDict()
        case "T", "F", "N": return try parseWord()
        default: throw failure("unexpected \(describeNext()), expected a value")
        }
    }

    /// Elements separated by commas, with an optional trailing comma; a one-element tuple needs it.
    private mutating func parseSequence(
        closing: Unicode.Scalar, makes make: ([PythonLiteral]) -> PythonLiteral
    ) throws(Failure) -> PythonLiteral {
        try enterContainer()
        var elements: [PythonLiteral] = []
        var sawComma = false
        while true {
            skipWhitespace()
            if consume(closing) { break }
            elements.append(try parseValue())
            skipWhitespace()
            if consume(closing) {
                sawComma = false
                break
            }
            guard consume(",") else { throw failure("unexpected \(describeNext()), expected ',' or '\(closing)'") }
            sawComma = true
        }
        depth -= 1
        // `(3)` is the integer 3 in Python, not a tuple.
        if closing == ")" && elements.count == 1 && !sawComma { return elements[0] }
        return make(elements)
    }

    private mutating func parseDict() throws(Failure) -> PythonLiteral {
        try enterContainer()
        var members: [PythonLiteral.Member] = []
        while true {
            skipWhitespace()
            if consume("}") { break }
            let key = try parseValue()
            skipWhitespace()
            guard consume(":") else { throw failure("unexpected \(describeNext()), expected ':' after a key") }
            members.append(PythonLiteral.Member(key: key, value: try parseValue()))
            skipWhitespace()
            if consume("}") { break }
            guard consume(",") else { throw failure("unexpected \(describeNext()), expected ',' or '}'") }
        }
        depth -= 1
        return .dict(members)
    }

    private mutating func enterContainer() throws(Failure) {
        depth += 1
        guard depth <= Self.maximumDepth else {
            throw failure("brackets nest deeper than \(Self.maximumDepth) levels")
        }
        position += 1
    }
}
