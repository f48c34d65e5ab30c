import CNNSpec

/// `cnnc schema`: the spec format as JSON Schema (draft 2020-12), printed from the tables the
/// parser and the validator read (`SpecParser`'s keys, `OperationKind.layerKeys`, `Activation`,
/// `Identifier`), so that what an editor completes and what `cnnc check` accepts cannot drift.
///
/// Every key has a description and, where it has one, its default. A layer is checked by its
/// `type`: one definition per type under `$defs`, chosen with `if`/`then`, each closed to keys of
/// other types. The schema cannot see shapes: a spec it accepts may still fail shape inference.
/// Editors whose validators stop at draft 7 (the YAML language server) ignore `dependentRequired`
/// and `maxContains`; the schema uses them only where that makes such an editor accept more, not less.
public enum SpecSchema {
    /// The JSON Schema dialect the schema is written in.
    public static let dialect = "https://json-schema.org/draft/2020-12/schema"

    /// The schema as `cnnc schema` prints it and `schema/cnnc.schema.json` holds it: two-space
    /// indentation and a final newline.
    public static var text: String { json.rendered(pretty: true) + "\n" }

    /// The schema document.
    public static var json: JSON {
        .object([
            ("$schema", .string(dialect)),
            ("title", .string("cnnc spec")),
            (
                "description",
                .string(
                    "A convolutional network for cnnc: the input shape and the layers in Keras's vocabulary, channels last."
                )
            ),
            ("type", .string("object")),
            ("properties", .object(topLevelProperties)),
            ("required", requiredNames(SpecParser.topLevel)),
            ("additionalProperties", .bool(false)),
            ("$defs", .object(definitions)),
        ])
    }

    private static var topLevelProperties: [(String, JSON)] {
        let schemaKey: (String, JSON) = (
            SpecParser.schemaKey,
            .object([
                ("description", .string("The JSON Schema of this file, for editors (a path or URL); cnnc ignores it.")),
                ("type", .string("string")),
            ])
        )
        return [schemaKey] + SpecParser.topLevel.map { key in (key.name, topLevelValue(key)) }
    }

    /// The value schema of a top-level key; a key the parser gains without a case here stops the
    /// schema test.
    private static func topLevelValue(_ key: SpecKey) -> JSON {
        let description: (String, JSON) = ("description", .string(key.summary))
        switch key.name {
        case "cnnc": return .object([description, ("const", .int(1)), ("default", .int(1))])
        case "name":
            return .object([
                description, ("type", .string("string")), ("pattern", .string(identifierPattern)),
                ("not", .object([("enum", .array(Identifier.reservedTypeNames.map(JSON.string)))])),
            ])
        case "description": return .object([description, ("type", .string("string"))])
        case "input":
            return closedObject(
                description: key.summary, properties: SpecParser.inputKeys.map { ($0.name, inputValue($0)) },
                required: SpecParser.inputKeys)
        case "layers":
            return .object([
                description, ("type", .string("array")), ("minItems", .int(1)),
                ("items", .object([("$ref", .string("#/$defs/layer"))])),
            ])
        case "limits":
            let limits = SpecParser.limitKeys.map { limit in
                (
                    limit.name,
                    JSON.object([
                        ("description", .string(limit.summary)), ("type", .string("integer")), ("minimum", .int(1)),
                    ])
                )
            }
            return closedObject(description: key.summary, properties: limits, required: SpecParser.limitKeys)
        default: preconditionFailure("no schema for the top-level key '\(key.name)'")
        }
    }

    private static func inputValue(_ key: SpecKey) -> JSON {
        precondition(key.name == "shape", "no schema for the input key '\(key.name)'")
        return .object([
            ("description", .string(key.summary)), ("type", .string("array")),
            ("items", .object([("type", .string("integer")), ("minimum", .int(1))])),
            ("anyOf", .array([listLength(1...1), listLength(3...3)])),
        ])
    }

    /// `layer` (a dispatch on `type`), the shared layer keys, and one definition per layer type.
    private static var definitions: [(String, JSON)] {
        let dispatch = OperationKind.allCases.map { kind in
            JSON.object([
                (
                    "if",
                    .object([
                        ("properties", .object([("type", .object([("const", .string(kind.rawValue))]))])),
                        ("required", .array([.string("type")])),
                    ])
                ),
                ("then", .object([("$ref", .string("#/$defs/\(kind.rawValue)"))])),
            ])
        }
        let type = SpecParser.commonLayerKeys[0]
        let layer = JSON.object([
            ("description", .string("One layer; its type decides the other keys it takes.")),
            ("type", .string("object")),
            (
                "properties",
                .object([
                    (
                        type.name,
                        .object([
                            ("description", .string(type.summary)),
                            ("enum", .array(OperationKind.allCases.map { .string($0.rawValue) })),
                        ])
                    )
                ])
            ),
            ("required", .array([.string(type.name)])),
            ("allOf", .array(dispatch)),
        ])
        return [("layer", layer), ("layerName", layerName)]
            + OperationKind.allCases.map { ($0.rawValue, definition(of: $0)) }
    }

    private static var layerName: JSON {
        .object([
            ("description", .string(SpecParser.commonLayerKeys[1].summary)),
            ("type", .string("string")),
            ("pattern", .string(identifierPattern)),
            ("not", .object([("const", .string("input"))])),
        ])
    }

    /// A layer type's keys: the common ones, then its table's, closed to any other.
    private static func definition(of kind: OperationKind) -> JSON {
        var properties: [(String, JSON)] = [
            ("type", .object([("description", .string(kind.summary)), ("const", .string(kind.rawValue))])),
            ("name", .object([("$ref", .string("#/$defs/layerName"))])),
            ("inputs", inputs(of: kind)),
        ]
        properties += kind.layerKeys.map { ($0.name, value($0)) }
        var required = ["type"] + kind.layerKeys.filter(\.isRequired).map(\.name)
        if kind.isMerge { required.insert("inputs", at: 1) }
        var members: [(String, JSON)] = [
            ("description", .string(kind.summary)),
            ("type", .string("object")),
            ("properties", .object(properties)),
            ("required", .array(required.map(JSON.string))),
            ("additionalProperties", .bool(false)),
        ]
        // Keys read from the weights file come all together or not at all (normalization's mean and variance).
        let fromWeights = kind.layerKeys.filter { $0.defaultValue == .fromWeights }.map(\.name)
        if fromWeights.count > 1 {
            let dependencies = fromWeights.map { name in
                (name, JSON.array(fromWeights.filter { $0 != name }.map(JSON.string)))
            }
            members.append(("dependentRequired", .object(dependencies)))
        }
        return .object(members)
    }

    /// `inputs`: one name (or a list of one) for most layers, a list of `inputCount` names for merges.
    private static func inputs(of kind: OperationKind) -> JSON {
        let summary = SpecParser.commonLayerKeys[2].summary
        let count = kind.inputCount
        let names = JSON.object([("type", .string("string"))])
        var list: [(String, JSON)] = [
            ("type", .string("array")), ("items", names), ("minItems", .int(count.lowerBound)),
        ]
        if count.upperBound != Int.max { list.append(("maxItems", .int(count.upperBound))) }
        guard !kind.isMerge else {
            let joined =
                "The earlier layers it joins, by name ('input' is the model input): \(countDescription(count))."
            return .object([("description", .string(joined))] + list)
        }
        return .object([("description", .string(summary)), ("anyOf", .array([names, .object(list)]))])
    }

    private static func countDescription(_ count: ClosedRange<Int>) -> String {
        count.upperBound == count.lowerBound ? "exactly \(count.lowerBound)" : "\(count.lowerBound) or more"
    }

    /// `[A-Za-z_][A-Za-z0-9_]*`, the names `Identifier` accepts.
    static let identifierPattern = "^[A-Za-z_][A-Za-z0-9_]*$"

    static func requiredNames(_ keys: [SpecKey]) -> JSON {
        .array(keys.filter(\.isRequired).map { .string($0.name) })
    }

    static func closedObject(description: String, properties: [(String, JSON)], required: [SpecKey]) -> JSON {
        .object([
            ("description", .string(description)),
            ("type", .string("object")),
            ("properties", .object(properties)),
            ("required", requiredNames(required)),
            ("additionalProperties", .bool(false)),
        ])
    }

    /// A list of `range` elements.
    static func listLength(_ range: ClosedRange<Int>) -> JSON {
        .object([("minItems", .int(range.lowerBound)), ("maxItems", .int(range.upperBound))])
    }
}
