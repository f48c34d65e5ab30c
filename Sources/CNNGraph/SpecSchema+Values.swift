import CNNSpec

/// The schemas of layer key values, one per `ValueKind`, with the table's bounds and default.
extension SpecSchema {
    /// A layer key: its values, its description (ending with the default) and its default.
    static func value(_ key: LayerKey) -> JSON {
        var members: [(String, JSON)] = [("description", .string(description(of: key)))]
        members += values(key.value, nullable: key.acceptsNull)
        if let value = key.defaultValue.flatMap(defaultJSON) {
            members.append(("default", value))
        }
        return .object(members)
    }

    static func description(of key: LayerKey) -> String {
        switch key.defaultValue {
        case nil, .fromWeights: key.summary
        case .sameAs(let other): "\(key.summary) Default: the \(other)."
        case let value?: "\(key.summary) Default: \(value.spelled)."
        }
    }

    static func defaultJSON(_ value: KeyDefault) -> JSON? {
        switch value {
        case .integer(let number): .int(number)
        case .number(let number): .number(number)
        case .boolean(let flag): .bool(flag)
        case .word(let word): .string(word)
        case .null: .null
        case .sameAs, .fromWeights: nil
        }
    }

    /// The constraints of a value kind, as members of the key's schema object.
    static func values(_ kind: ValueKind, nullable: Bool) -> [(String, JSON)] {
        let null = JSON.object([("type", .string("null"))])
        switch kind {
        case .integer(let minimum):
            return [("type", .string("integer")), ("minimum", .int(minimum))]
        case .size2D(let minimum):
            let options = [integer(minimum), pair(of: integer(minimum))]
            return [("anyOf", .array(options + (nullable ? [null] : [])))]
        case .sides:
            let side = integer(0)
            return [("anyOf", .array([side, pair(of: side), pair(of: pair(of: side))]))]
        case .word(let words):
            let pattern = "^(?:" + words.map(caseInsensitive).joined(separator: "|") + ")$"
            return [
                (
                    "anyOf",
                    .array([
                        .object([("enum", .array(words.map(JSON.string)))]),
                        .object([("type", .string("string")), ("pattern", .string(pattern))]),
                    ])
                )
            ]
        case .activation:
            return [("enum", .array(Activation.spellings.map(JSON.string)))]
        case .boolean:
            return [("type", .string("boolean"))]
        case .number(let range):
            return [("type", nullable ? .array([.string("number"), .string("null")]) : .string("number"))]
                + bounds(range)
        case .numbers(let range):
            let number = JSON.object([("type", .string("number"))] + bounds(range))
            let list = JSON.object([("type", .string("array")), ("items", number), ("minItems", .int(1))])
            return [("anyOf", .array([number, list]))]
        case .targetShape:
            let size = JSON.object([
                ("type", .string("integer")),
                ("anyOf", .array([.object([("minimum", .int(1))]), .object([("const", .int(-1))])])),
            ])
            // At most one −1, written so that a draft-07 reader (which ignores maxContains) accepts
            // more, never less.
            let wildcard = JSON.object([("const", .int(-1))])
            let atMostOneWildcard = JSON.array([
                .object([("not", .object([("contains", wildcard)]))]),
                .object([("contains", wildcard), ("maxContains", .int(1))]),
            ])
            return [
                ("type", .string("array")), ("items", size),
                (
                    "allOf",
                    .array([
                        .object([("anyOf", .array([listLength(1...1), listLength(3...3)]))]),
                        .object([("anyOf", atMostOneWildcard)]),
                    ])
                ),
            ]
        }
    }

    private static func integer(_ minimum: Int) -> JSON {
        .object([("type", .string("integer")), ("minimum", .int(minimum))])
    }

    private static func pair(of element: JSON) -> JSON {
        .object([("type", .string("array")), ("items", element), ("minItems", .int(2)), ("maxItems", .int(2))])
    }

    private static func bounds(_ range: NumberRange) -> [(String, JSON)] {
        var members: [(String, JSON)] = []
        if let lower = range.lower {
            members.append((range.lowerIncluded ? "minimum" : "exclusiveMinimum", .number(lower)))
        }
        if let upper = range.upper {
            members.append(("exclusiveMaximum", .number(upper)))
        }
        return members
    }

    /// `same` as `[Ss][Aa][Mm][Ee]`: JSON Schema's regular expressions (ECMA-262) have no flag for case.
    private static func caseInsensitive(_ word: String) -> String {
        word.map { character in
            let (lower, upper) = (character.lowercased(), character.uppercased())
            return lower == upper ? String(character) : "[\(upper)\(lower)]"
        }.joined()
    }
}
