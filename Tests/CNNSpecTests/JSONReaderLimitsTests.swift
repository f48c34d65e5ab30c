import Foundation
import Testing

@testable import CNNSpec

/// The JSON reader agrees with the YAML path on locations and on how deep values are kept, and no
/// input crashes it, hangs it or takes long.
@Suite struct JSONReaderLimitsTests {
    private func read(_ text: String) -> (root: SpecValue?, diagnostics: [Diagnostic]) {
        JSONReader.read(SourceFile(path: "spec.json", text: text))
    }

    /// Every value and key as `kind@line:column`, in document order.
    private func flatten(_ value: SpecValue) -> [String] {
        let here = "\(value.kindDescription)@\(value.location.line):\(value.location.column)"
        switch value.kind {
        case .sequence(let elements): return [here] + elements.flatMap(flatten)
        case .mapping(let pairs):
            return [here] + pairs.flatMap { ["key \($0.key.value)@\($0.key.location.line):\($0.key.location.column)"] + flatten($0.value) }
        default: return [here]
        }
    }

    @Test func locationsAgreeWithTheYAMLReader() throws {
        let text = """
            {
            \t"name": "Ünïcode", "input": {"shape": [28, 28, 1]},
              "layers": [
                {"type": "conv2d", "filters": 32, "kernel_size": [3, 3], "use_bias": false, "rate": 1.5e-3},
                  {"type": "dense", "name": "é😀", "units": 10, "x": null}, [[[[[[[1]]]]]]]
              ]
            }
            """
        let json = try #require(read(text).root)
        var yamlReader = YAMLReader(file: SourceFile(path: "spec.yaml", text: text))
        let yaml = try #require(try yamlReader.read().get())
        #expect(flatten(json) == flatten(yaml))
    }

    @Test func collectionsPastTheMaximumDepthAreKeptAsTooDeep() throws {
        let depth = YAMLReader.maximumDepth
        let text = String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth)
        var value = try #require(read(text).root)
        for _ in 1..<depth {
            guard case .sequence(let elements) = value.kind, let first = elements.first else { Issue.record("cut too early"); return }
            value = first
        }
        guard case .tooDeep = value.kind else { Issue.record("not cut: \(value.kindDescription)"); return }
        #expect(value.location.column == depth)
    }

    @Test func nestingIsCappedAtAThousandLevels() {
        let limit = JSONReader.maximumNesting
        let deepest = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        #expect(read(deepest).diagnostics.isEmpty)
        for text in [String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1), String(repeating: "{\"a\":[", count: 100_000)] {
            let diagnostics = read(text).diagnostics
            #expect(diagnostics.map(\.code) == [.parseError])
            #expect(diagnostics.first?.message == "JSON syntax error: objects and arrays nested deeper than 1000 levels")
        }
        #expect(read(String(repeating: "[", count: limit + 1)).diagnostics.first?.location.column == limit + 1)
    }

    @Test func hugeNumbersAndStrings() throws {
        let digits = String(repeating: "7", count: 100_000)
        let text = "[\(digits), -\(digits), 0.\(digits), 1e999999999, \"\(String(repeating: "x", count: 4 << 20))\"]"
        let start = Date()
        let root = try #require(read(text).root)
        #expect(Date().timeIntervalSince(start) < 10)
        guard case .sequence(let values) = root.kind else { Issue.record("not a list"); return }
        #expect(values.map(\.kind.name) == ["integerOverflow", "integerOverflow", "float", "float", "string"])
        if case .float(let value) = values[3].kind { #expect(value == .infinity) }
        let long = read("[" + String(repeating: "9", count: 100_000) + "x]").diagnostics
        #expect(long.first?.message.hasSuffix("…' is not a JSON number") == true)
    }

    @Test func aFewMegabytesReadQuickly() {
        let layer = #"{"type": "dense", "name": "d", "units": 4, "activation": "tanh", "use_bias": true, "rate": 0.5},"#
        let text = #"{"input": {"shape": [4]}, "layers": ["# + String(repeating: layer + "\n", count: 30_000) + "{}]}"
        let start = Date()
        let (root, diagnostics) = read(text)
        let seconds = Date().timeIntervalSince(start)
        #expect(root != nil && diagnostics.isEmpty)
        #expect(seconds < 5, "\(text.utf8.count >> 20) MiB took \(seconds) s")
    }

    @Test func valuesAreCappedAsOnTheYAMLPath() {
        let text = "[" + String(repeating: "0,", count: YAMLReader.maximumValues) + "0]"
        #expect(read(text).diagnostics.map(\.code) == [.tooManyValues])
    }

    @Test func onlyJSONPathsAreReadStrictly() {
        let lenient = "{input: {shape: [4]}, layers: [{type: flatten},]}  # YAML takes this\n"
        #expect(SpecParser.parse(SourceFile(path: "a.yaml", text: lenient)).diagnostics.isEmpty)
        let strict = SpecParser.parse(SourceFile(path: "A.JSON", text: lenient))
        #expect(strict.spec == nil)
        #expect(strict.diagnostics.map(\.message) == ["JSON syntax error: object keys must be double-quoted strings"])
    }
}

extension SpecValue.Kind {
    /// The case's name, for comparing kinds without their payloads.
    fileprivate var name: String { String(describing: self).prefix { $0 != "(" }.description }
}
