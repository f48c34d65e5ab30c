import TestSupport
import Testing

@testable import CNNSpec

@Suite struct SpecParserTests {
    private func parse(_ marked: Marked, path: String = "spec.yaml") -> (ModelSpec?, [Diagnostic]) {
        SpecParser.parse(marked.file(path))
    }

    @Test func blockStyleKeepsEveryLocation() throws {
        let source = Marked(
            """
            cnnc: 1
            name: 1️⃣Tiny
            input:
              shape: 2️⃣[28, 3️⃣28, 1]
            layers:
              - 4️⃣type: 5️⃣conv2d
                filters: 6️⃣32
            """)
        let (spec, diagnostics) = parse(source)
        #expect(diagnostics.isEmpty)
        let model = try #require(spec)
        #expect(model.name == Located("Tiny", at: source["1️⃣"]))
        #expect(model.input?.shape?.location == source["2️⃣"])
        #expect(model.input?.shape?.value.map(\.value) == [28, 28, 1])
        #expect(model.input?.shape?.value[1].location == source["3️⃣"])
        let layer = try #require(model.layers.first)
        #expect(layer.location == source["4️⃣"])
        #expect(layer.type == Located("conv2d", at: source["5️⃣"]))
        #expect(layer.options.first?.value.location == source["6️⃣"])
    }

    @Test func flowStyleAndJSONParseTheSame() throws {
        let yaml = Marked("{input: {shape: [4, 4, 1]}, layers: [{type: flatten, name: f, inputs: [input]}]}")
        let json = Marked(#"{"input": {"shape": [4, 4, 1]}, "layers": [{"type": "flatten", "name": "f", "inputs": ["input"]}]}"#)
        for (marked, path) in [(yaml, "a.yaml"), (json, "a.json")] {
            let (spec, diagnostics) = parse(marked, path: path)
            #expect(diagnostics.isEmpty)
            #expect(spec?.layers.first?.name?.value == "f")
            #expect(spec?.layers.first?.inputs?.value.map(\.value) == ["input"])
        }
    }

    @Test func coreSchemaScalars() {
        func kind(_ text: String) -> String {
            switch CoreSchema.resolve(plain: text) {
            case .null: "null"
            case .bool(let value): "bool \(value)"
            case .integer(let value): "int \(value)"
            case .integerOverflow: "overflow"
            case .float(let value): value.isNaN ? "nan" : "float \(value)"
            case .string(let value): "string \(value)"
            default: "other"
            }
        }
        #expect(kind("1e-3") == "float 0.001")
        #expect(kind("yes") == "string yes")
        #expect(kind("on") == "string on")
        #expect(kind("True") == "bool true")
        #expect(kind("~") == "null")
        #expect(kind("0x1F") == "int 31")
        #expect(kind("0o17") == "int 15")
        #expect(kind("-12") == "int -12")
        #expect(kind(".nan") == "nan")
        #expect(kind("99999999999999999999999") == "overflow")
        #expect(kind("3x3") == "string 3x3")
        #expect(kind("1.") == "float 1.0")
    }

    @Test func quotedNumbersAreStrings() {
        let source = Marked("input: {shape: [1️⃣'28', 28, 1]}\nlayers: [{type: flatten}]\n")
        let (_, diagnostics) = parse(source)
        #expect(diagnostics.map(\.code) == [.wrongType])
        #expect(diagnostics.first?.location == source["1️⃣"])
    }

    @Test func missingTopLevelKeysAreReportedAtLineOne() {
        let (_, diagnostics) = parse(Marked("# a comment first\nname: X\n"))
        #expect(diagnostics.map(\.code) == [.missingKey, .missingKey])
        #expect(diagnostics.allSatisfy { $0.location.line == 1 && $0.location.column == 1 })
    }

    @Test func duplicateKeyIsReportedAtTheSecondOccurrence() {
        let source = Marked("input: {shape: [2, 2, 1]}\nlayers:\n  - type: flatten\n    1️⃣name: a\n    2️⃣name: b\n")
        let (_, diagnostics) = parse(source)
        #expect(diagnostics.map(\.code) == [.duplicateKey])
        #expect(diagnostics.first?.location == source["2️⃣"])
        #expect(diagnostics.first?.notes.first?.location == source["1️⃣"])
    }

    @Test func syntaxErrorsArePositioned() {
        let source = Marked("input: {shape: [2, 2, 1]}\nlayers:\n  - {type: dense units1️⃣: 4}\n")
        let (spec, diagnostics) = parse(source)
        #expect(spec == nil)
        #expect(diagnostics.map(\.code) == [.parseError])
        #expect(diagnostics.first?.location == source["1️⃣"])
        #expect(diagnostics.first?.message.hasPrefix("YAML syntax error") == true)
        let (_, jsonDiagnostics) = parse(Marked("{\"input\": 1,,}"), path: "x.json")
        #expect(jsonDiagnostics.first?.message.hasPrefix("JSON syntax error") == true)
    }

    @Test func namesMustBeIdentifiers() {
        let source = Marked("name: 1️⃣9lives\ninput: {shape: [2, 2, 1]}\nlayers: [{type: flatten, name: 2️⃣input}]\n")
        let (_, diagnostics) = parse(source)
        #expect(diagnostics.map(\.code) == [.invalidName, .invalidName])
        #expect(diagnostics.map(\.location) == [source["1️⃣"], source["2️⃣"]])
    }

    /// A model named like a type the generated file uses would not compile.
    @Test func modelNameMustNotShadowGeneratedCodeTypes() {
        let source = Marked("name: 1️⃣Data\ninput: {shape: [2, 2, 1]}\nlayers: [{type: flatten}]\n")
        let (_, diagnostics) = parse(source)
        #expect(diagnostics.map(\.code) == [.invalidName])
        #expect(diagnostics.first?.message.contains("generated Swift") == true)
    }

    @Test func suggestions() {
        #expect(Suggestions.closest(to: "filter", in: ["filters", "units"]) == "filters")
        #expect(Suggestions.closest(to: "brnach", in: ["branch", "stem"]) == "branch")
        #expect(Suggestions.closest(to: "kernel", in: ["kernel_size", "strides"]) == "kernel_size")
        #expect(Suggestions.closest(to: "xyz", in: ["filters", "units"]) == nil)
    }
}

@Suite struct SourceFileTests {
    @Test func linesWithoutTheirBreaks() {
        let file = SourceFile(path: "a.yaml", text: "one\r\ntwo\n\nfour")
        #expect(file.line(1) == "one")
        #expect(file.line(2) == "two")
        #expect(file.line(3) == "")
        #expect(file.line(4) == "four")
        #expect(file.line(5) == nil)
        #expect(file.line(0) == nil)
    }
}
