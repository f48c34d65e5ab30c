import CNNGraph
import CNNSpec
import Foundation
import Testing

/// The bundled specs: the valid ones compile clean, the others report exactly what their
/// `# expect:` comments say.
@Suite struct ExampleSpecTests {
    static func files(_ folder: String) -> [String] {
        let directory = Paths.specs.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".json") }.sorted().map { "\(folder)/\($0)" }
    }

    @Test func specsArePresent() {
        #expect(Self.files(".").count >= 5)
        #expect(Self.files("invalid").count >= 8)
    }

    @Test(arguments: files("."))
    func validSpecCompilesClean(path: String) throws {
        let compilation = Compilation(path: Paths.specs.appendingPathComponent(path).path)
        #expect(compilation.diagnostics.isEmpty, "\(compilation.diagnostics.map { "\($0.location) \($0.message)" })")
        #expect(compilation.graph != nil)
    }

    @Test(arguments: files("invalid") + files("warnings"))
    func diagnosticsMatchExpectations(path: String) throws {
        let url = Paths.specs.appendingPathComponent(path)
        var expected = expectations(in: try String(contentsOf: url, encoding: .utf8))
        if path.hasSuffix("json_syntax.json") { expected = ["parse-error at 6:5"] }
        let compilation = Compilation(path: url.path)
        let actual = compilation.diagnostics.map { "\($0.code) at \($0.location.line):\($0.location.column)" }.sorted()
        #expect(!expected.isEmpty)
        #expect(actual == expected)
    }

    @Test func mnistSummary() throws {
        let graph = try #require(Compilation(path: Paths.specs.appendingPathComponent("mnist.yaml").path).graph)
        let summary = ModelSummary(graph)
        #expect(summary.totalParameters == 93_322)
        #expect(summary.rows.map(\.outputShape.description) == ["26x26x32", "13x13x32", "11x11x64", "5x5x64", "3x3x64", "576", "64", "10"])
        #expect(summary.table.contains("│ conv2d (Conv2D)"))
        #expect(summary.table.contains(" Total params: 93,322 (364.54 KB)"))
    }
}
