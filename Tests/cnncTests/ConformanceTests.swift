import CNNFormats
import CNNGraph
import CNNInterpreter
import CNNSpec
import Foundation
import Testing
import TestSupport

/// Walks ../shared/conformance (Keras 3's reference results): verdicts, diagnostic lines, summaries.
@Suite struct ConformanceTests {
    struct Entry: CustomStringConvertible, Sendable {
        var name: String
        var spec: String
        var status: String
        var line: Int?
        var description: String { name }
    }

    /// The corpus index; a missing corpus fails the test rather than passing by finding nothing.
    static func entries() throws -> [Entry] {
        let data = try Data(contentsOf: Paths.conformance.appendingPathComponent("refs/INDEX.json"))
        let index = try #require(try JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
        return index.keys.sorted().map { name in
            let entry = index[name]!
            return Entry(name: name, spec: entry["spec"] as! String, status: entry["status"] as! String, line: entry["line"] as? Int)
        }
    }

    @Test func corpusIsPresentAndComplete() throws {
        let entries = try Self.entries()
        #expect(entries.count >= 18)
        #expect(Set(entries.map(\.status)) == ["valid", "invalid", "warning"])
    }

    @Test(arguments: try entries())
    func verdictAndLine(entry: Entry) throws {
        try verdict(entry)
    }

    private func verdict(_ entry: Entry) throws {
        let path = Paths.conformance.appendingPathComponent("specs/\(entry.spec)").path
        let compilation = Compilation(path: path)
        let errors = compilation.diagnostics.filter { $0.severity == .error }
        let warnings = compilation.diagnostics.filter { $0.severity == .warning }
        switch entry.status {
        case "valid":
            #expect(compilation.diagnostics.isEmpty, "\(compilation.diagnostics.map(\.message))")
        case "warning":
            #expect(errors.isEmpty)
            #expect(warnings.contains { $0.location.line == entry.line }, "warnings: \(warnings.map { "\($0.location) \($0.message)" })")
        default:
            #expect(compilation.graph == nil)
            #expect(errors.contains { $0.location.line == entry.line }, "errors: \(errors.map { "\($0.location) \($0.message)" })")
        }
    }

    @Test(arguments: try entries().filter { $0.status != "invalid" })
    func summaryMatchesKeras(entry: Entry) throws {
        try summary(entry)
    }

    private func summary(_ entry: Entry) throws {
        let reference = Paths.conformance.appendingPathComponent("refs/\(entry.name)/summary.json")
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: reference)) as? [String: Any])
        let path = Paths.conformance.appendingPathComponent("specs/\(entry.spec)").path
        let graph = try #require(Compilation(path: path).graph)
        let rendered = ModelSummary(graph).json.rendered()
        let actual = try #require(try JSONSerialization.jsonObject(with: Data(rendered.utf8)) as? [String: Any])

        #expect(actual["name"] as? String == expected["model"] as? String)
        #expect(actual["input_shape"] as? [Int] == expected["input_shape"] as? [Int])
        #expect(actual["output_shape"] as? [Int] == expected["output_shape"] as? [Int])
        let totals = try #require(expected["totals"] as? [String: Any])
        #expect(actual["total_params"] as? Int == totals["params"] as? Int)
        #expect(actual["total_macs"] as? Int == totals["macs"] as? Int)
        let want = try #require(expected["layers"] as? [[String: Any]])
        let got = try #require(actual["layers"] as? [[String: Any]])
        #expect(got.count == want.count)
        for (g, w) in zip(got, want) {
            #expect(g["name"] as? String == w["name"] as? String)
            #expect(g["type"] as? String == w["type"] as? String)
            #expect(g["inputs"] as? [String] == w["inputs"] as? [String], "\(w["name"]!)")
            #expect(g["output_shape"] as? [Int] == w["output_shape"] as? [Int], "\(w["name"]!)")
            #expect(g["params"] as? Int == w["params"] as? Int, "\(w["name"]!)")
            #expect(g["macs"] as? Int == w["macs"] as? Int, "\(w["name"]!)")
        }
        // The weights the spec declares are the ones Keras made, with Keras's shapes, and the
        // summary's layers list them.
        let weights = try #require(expected["weights"] as? [[String: Any]])
        let listed = got.flatMap { $0["weights"] as? [[String: Any]] ?? [] }
        #expect(listed.map { $0["key"] as? String } == weights.map { $0["key"] as? String })
        #expect(listed.map { $0["shape"] as? [Int] } == weights.map { $0["shape"] as? [Int] })
    }
}

/// Runs every valid spec of the corpus with its weights and input and compares with Keras 3's
/// output at the contract's tolerance (absolute 1e-4 + relative 1e-4 per element).
@Suite struct NumericalConformanceTests {
    @Test(arguments: try ConformanceTests.entries().filter { $0.status != "invalid" })
    func interpreterMatchesKeras(entry: ConformanceTests.Entry) throws {
        try run(entry)
    }

    private func run(_ entry: ConformanceTests.Entry) throws {
        let refs = Paths.conformance.appendingPathComponent("refs/\(entry.name)")
        let graph = try #require(Compilation(path: Paths.conformance.appendingPathComponent("specs/\(entry.spec)").path).graph)
        let weights = refs.appendingPathComponent("weights.safetensors").path
        let interpreter = try Interpreter(graph: graph, weights: SafeTensors.read(contentsOf: weights), weightsPath: weights)
        let input = try NumPyArray.read(contentsOf: refs.appendingPathComponent("input.npy").path)
        let expected = try NumPyArray.read(contentsOf: refs.appendingPathComponent("expected.npy").path)
        #expect(tensorMismatch(try interpreter.run(input), expected) == nil)
    }
}
