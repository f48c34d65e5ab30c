/// A value from a spec file, with scalars resolved by YAML 1.2's core schema and every node located.
///
/// Only `true`/`false` (any case style the schema allows) are booleans; `yes`/`on` stay strings.
/// An integer too large for `Int` is kept as `.integerOverflow` so that the stage that knows what the
/// key means can report it; a quoted scalar is always a string.
public struct SpecValue: Sendable {
    public indirect enum Kind: Sendable {
        case null
        case bool(Bool)
        case integer(Int)
        case integerOverflow(String)
        case float(Double)
        case string(String)
        case sequence([SpecValue])
        case mapping([(key: Located<String>, value: SpecValue)])
        /// A collection nested deeper than any spec key needs; kept only to be reported.
        case tooDeep
    }

    public var kind: Kind
    public var location: SourceLocation

    public init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }

    /// How the value is described in "expected X, found Y" messages.
    public var kindDescription: String {
        switch kind {
        case .null: "null"
        case .bool(let value): "boolean \(value)"
        case .integer(let value): "integer \(value)"
        case .integerOverflow(let text): "integer \(text)"
        case .float(let value): "number \(SpecValue.format(value))"
        case .string(let text): "string '\(text)'"
        case .sequence: "a list"
        case .mapping: "a mapping"
        case .tooDeep: "a deeply nested value"
        }
    }

    /// Prints a float the way a user wrote it, without a spurious `.0` on whole numbers.
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}

/// YAML 1.2 core schema resolution of a plain (unquoted) scalar.
enum CoreSchema {
    static func resolve(plain text: String) -> SpecValue.Kind {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".nan", ".NaN", ".NAN": return .float(.nan)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .float(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .float(-.infinity)
        default: break
        }
        let scalars = Array(text.utf8)
        if isDecimalInteger(scalars) {
            return Int(text).map(SpecValue.Kind.integer) ?? .integerOverflow(text)
        }
        if scalars.count > 2, scalars[0] == UInt8(ascii: "0") {
            let digits = String(text.dropFirst(2))
            if scalars[1] == UInt8(ascii: "x"), digits.utf8.allSatisfy(isHexDigit) {
                return Int(digits, radix: 16).map(SpecValue.Kind.integer) ?? .integerOverflow(text)
            }
            if scalars[1] == UInt8(ascii: "o"), digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 55 }) {
                return Int(digits, radix: 8).map(SpecValue.Kind.integer) ?? .integerOverflow(text)
            }
        }
        if isFloat(scalars), let value = Double(text) {
            return .float(value)
        }
        return .string(text)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= 65 && byte <= 70) || (byte >= 97 && byte <= 102)
    }

    /// `[-+]?[0-9]+`
    private static func isDecimalInteger(_ s: [UInt8]) -> Bool {
        let body = s.first == UInt8(ascii: "-") || s.first == UInt8(ascii: "+") ? s.dropFirst() : s[...]
        return !body.isEmpty && body.allSatisfy(isDigit)
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
    private static func isFloat(_ s: [UInt8]) -> Bool {
        var i = 0
        if i < s.count, s[i] == UInt8(ascii: "-") || s[i] == UInt8(ascii: "+") { i += 1 }
        var mantissaDigits = 0
        while i < s.count, isDigit(s[i]) { i += 1; mantissaDigits += 1 }
        if i < s.count, s[i] == UInt8(ascii: ".") {
            i += 1
            while i < s.count, isDigit(s[i]) { i += 1; mantissaDigits += 1 }
        }
        guard mantissaDigits > 0 else { return false }
        if i < s.count, s[i] == UInt8(ascii: "e") || s[i] == UInt8(ascii: "E") {
            i += 1
            if i < s.count, s[i] == UInt8(ascii: "-") || s[i] == UInt8(ascii: "+") { i += 1 }
            var exponentDigits = 0
            while i < s.count, isDigit(s[i]) { i += 1; exponentDigits += 1 }
            guard exponentDigits > 0 else { return false }
        }
        return i == s.count
    }
}
