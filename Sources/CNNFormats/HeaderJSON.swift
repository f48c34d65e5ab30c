/// A JSON value from a safetensors header. Numbers keep their literal text so that the reader can
/// tell `3` from `3.0` and `1e400` from an integer; objects keep their keys in file order.
indirect enum JSONValue: Equatable, Sendable {
    case object([(key: String, value: JSONValue)])
    case array([JSONValue])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.object(let left), .object(let right)):
            left.count == right.count && zip(left, right).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.array(let left), .array(let right)): left == right
        case (.string(let left), .string(let right)): left == right
        case (.number(let left), .number(let right)): left == right
        case (.bool(let left), .bool(let right)): left == right
        case (.null, .null): true
        default: false
        }
    }

    /// What the value is, in a user's words: `a string`, `the number 3.5`.
    var kindDescription: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string(let text): "the string \"\(text)\""
        case .number(let literal): "the number \(literal)"
        case .bool(let value): "\(value)"
        case .null: "null"
        }
    }

    /// Whether the value is a number written without fraction or exponent, like `-12`.
    var isIntegerLiteral: Bool {
        guard case .number(let literal) = self else { return false }
        return literal.utf8.allSatisfy {
            $0 == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
        }
    }

    /// The value as an `Int` when it is an integer literal that fits one.
    var integer: Int? {
        guard isIntegerLiteral, case .number(let literal) = self else { return nil }
        return Int(literal)
    }
}

/// A strict JSON parser (RFC 8259) for header bytes, with errors that give a byte offset. It
/// rejects duplicate keys, control characters in strings, invalid UTF-8 and nesting deeper than
/// `maximumDepth`, so that nothing a hostile header contains is silently accepted or overflows the
/// stack.
struct JSONParser {
    /// Objects and arrays may nest this deep; a safetensors header needs three levels.
    static let maximumDepth = 64

    /// A problem in the text, and the byte offset where it is.
    struct Failure: Error {
        var message: String
        var offset: Int
        /// For a key that appears twice in one object: the key and how deep the object is (1 for the
        /// outermost), so a reader can say `tensor 'x' appears twice`.
        var duplicateKey: (key: String, depth: Int)?
    }

    let bytes: [UInt8]
    var position = 0
    var depth = 0

    /// Parses `bytes` as one JSON value, allowing only whitespace around it.
    static func parse(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
        if let invalid = firstInvalidUTF8(in: bytes) {
            throw Failure(message: "it is not valid UTF-8", offset: invalid)
        }
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        if parser.position < bytes.count {
            throw Failure(message: "unexpected \(parser.describeNext()) after the JSON value", offset: parser.position)
        }
        return value
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private mutating func parseValue() throws(Failure) -> JSONValue {
        guard position < bytes.count else { throw failure("unexpected end of the header, expected a value") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        case UInt8(ascii: "t"):
            try expectWord("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectWord("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectWord("null")
            return .null
        default: throw failure("unexpected \(describeNext()), expected a value")
        }
    }

    private mutating func parseObject() throws(Failure) -> JSONValue {
        try enterContainer()
        var members: [(key: String, value: JSONValue)] = []
        var keys: Set<String> = []
        skipWhitespace()
        if consume("}") {
            depth -= 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw failure("unexpected \(describeNext()), expected a string key")
            }
            let keyOffset = position
            let key = try parseString()
            guard keys.insert(key).inserted else {
                throw Failure(
                    message: "key \"\(key)\" appears twice in the same object", offset: keyOffset,
                    duplicateKey: (key, depth))
            }
            skipWhitespace()
            guard consume(":") else { throw failure("unexpected \(describeNext()), expected ':' after a key") }
            skipWhitespace()
            members.append((key, try parseValue()))
            skipWhitespace()
            if consume("}") {
                depth -= 1
                return .object(members)
            }
            guard consume(",") else { throw failure("unexpected \(describeNext()), expected ',' or '}'") }
        }
    }

    private mutating func parseArray() throws(Failure) -> JSONValue {
        try enterContainer()
        var elements: [JSONValue] = []
        skipWhitespace()
        if consume("]") {
            depth -= 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            if consume("]") {
                depth -= 1
                return .array(elements)
            }
            guard consume(",") else { throw failure("unexpected \(describeNext()), expected ',' or ']'") }
        }
    }

    private mutating func enterContainer() throws(Failure) {
        depth += 1
        guard depth <= Self.maximumDepth else {
            throw failure("objects and arrays nest deeper than \(Self.maximumDepth) levels")
        }
        position += 1
    }
}

/// The offset of the first byte in `bytes` that does not begin a valid UTF-8 sequence, or nil when
/// they are all valid.
func firstInvalidUTF8(in bytes: [UInt8]) -> Int? {
    var parser = Unicode.UTF8.ForwardParser()
    var iterator = bytes.makeIterator()
    var offset = 0
    while true {
        switch parser.parseScalar(from: &iterator) {
        case .valid(let scalar): offset += scalar.count
        case .emptyInput: return nil
        case .error: return offset
        }
    }
}
