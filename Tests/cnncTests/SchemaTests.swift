import CNNGraph
import CNNSpec
import Foundation
import Testing

/// `cnnc schema` and the committed `schema/cnnc.schema.json`; `Tests/Schemas/check_spec_schema.py`
/// (CI) checks the schema against the validator with Python's jsonschema.
@Suite struct SchemaTests {
    static let committed = Paths.packageRoot.appendingPathComponent("schema/cnnc.schema.json")

    @Test func committedSchemaIsWhatCnncPrints() throws {
        let text = try String(contentsOf: Self.committed, encoding: .utf8)
        #expect(
            text == SpecSchema.text,
            "schema/cnnc.schema.json is out of date: run `swift run cnnc schema > schema/cnnc.schema.json` and review the diff"
        )
        let run = try Run(["schema"])
        #expect(run.status == 0)
        #expect(run.stdout == SpecSchema.text)
        #expect(run.stderr.isEmpty)
    }

    @Test func schemaIsDraft2020WithEveryLayerType() throws {
        let data = try Data(contentsOf: Self.committed)
        let schema = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(schema["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        let definitions = try #require(schema["$defs"] as? [String: Any])
        for kind in OperationKind.allCases {
            let definition = try #require(definitions[kind.rawValue] as? [String: Any], "\(kind.rawValue)")
            let properties = try #require(definition["properties"] as? [String: [String: Any]])
            #expect(Set(properties.keys) == Set(["type", "name", "inputs"] + kind.keys), "\(kind.rawValue)")
            for key in kind.layerKeys {
                #expect(properties[key.name]?["description"] as? String != nil, "\(kind.rawValue).\(key.name)")
                let literal: Bool =
                    switch key.defaultValue {
                    case .integer, .number, .boolean, .word, .null: true
                    case .sameAs, .fromWeights, nil: false
                    }
                #expect(
                    (properties[key.name]?.keys.contains("default") == true) == literal, "\(kind.rawValue).\(key.name)")
            }
        }
    }

    @Test func tableKeysAreDistinctAndDescribed() {
        for kind in OperationKind.allCases {
            #expect(Set(kind.keys).count == kind.keys.count, "\(kind.rawValue)")
            #expect(kind.layerKeys.allSatisfy { !$0.summary.isEmpty && $0.summary.hasSuffix(".") }, "\(kind.rawValue)")
            #expect(!kind.summary.isEmpty)
        }
    }

    /// A layer given only its required keys gets the table's defaults.
    @Test func validatorUsesTheTablesDefaults() throws {
        let text = """
            input: {shape: [8, 8, 2]}
            layers:
              - {type: conv2d, filters: 4, kernel_size: 3}
              - {type: max_pool2d}
              - {type: upsampling2d}
              - {type: zero_padding2d}
            """
        let graph = try #require(compile(text).graph)
        guard case .conv2d(let conv) = graph.nodes[0].operation, case .maxPool2D(let pool) = graph.nodes[1].operation,
            case .upSampling2D(let upsampling) = graph.nodes[2].operation,
            case .zeroPadding2D(let padding) = graph.nodes[3].operation
        else {
            Issue.record("unexpected operations: \(graph.nodes.map(\.operation))")
            return
        }
        #expect(conv.window == Window2D(kernel: Size2D(3, 3), strides: Size2D(1, 1), padding: .valid))
        #expect(conv.activation == .linear && conv.useBias)
        #expect(pool.window == Window2D(kernel: Size2D(2, 2), strides: Size2D(2, 2), padding: .valid))
        #expect(upsampling.size == Size2D(2, 2) && upsampling.interpolation == .nearest)
        #expect(padding == Padding2D(top: 1, bottom: 1, left: 1, right: 1))
    }

    @Test func dollarSchemaKeyIsIgnored() {
        let yaml = """
            # yaml-language-server: $schema=../schema/cnnc.schema.json
            $schema: ../schema/cnnc.schema.json
            input: {shape: [4]}
            layers: [{type: dense, units: 2}]
            """
        #expect(compile(yaml).diagnostics.isEmpty)
        let json =
            #"{"$schema": "https://example.com/cnnc.schema.json", "input": {"shape": [4]}, "layers": [{"type": "dense", "units": 2}]}"#
        #expect(compile(json, path: "spec.json").diagnostics.isEmpty)
        // Only at the top level: a layer's `$schema` is an unknown key like any other.
        let layer = compile("input: {shape: [4]}\nlayers: [{type: dense, units: 2, $schema: x}]\n").diagnostics
        #expect(layer.map(\.code) == [.unknownKey])
    }
}
