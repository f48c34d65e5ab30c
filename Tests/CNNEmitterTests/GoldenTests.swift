import CNNEmitter
import CNNGraph
import CNNSpec
import Foundation
import Testing

/// The emitted source of the example specs against the goldens in
/// `Tests/GeneratedModelTests/Models` (which that target compiles and runs), so that any change
/// to the generator shows up as a readable diff. Re-record with `CNNC_RECORD_GOLDENS=1 swift test
/// --filter GoldenTests`, then review `git diff`.
@Suite struct GoldenTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let recording = ProcessInfo.processInfo.environment["CNNC_RECORD_GOLDENS"] != nil

    static func emitter(_ spec: String) throws -> SwiftEmitter {
        let graph = try #require(Compilation(path: root.appendingPathComponent("specs/\(spec)").path).graph)
        return SwiftEmitter(graph: graph)
    }

    @Test(arguments: ["mnist.yaml", "lenet5.yaml", "residual_block.yaml", "mobilenet_block.json", "cifar_vgg.yaml"])
    func modelSourceMatchesGolden(spec: String) throws {
        let emitter = try Self.emitter(spec)
        let golden = Self.root.appendingPathComponent("Tests/GeneratedModelTests/Models/\(emitter.modelFileName)")
        try compare(emitter.modelSource(), golden)
    }

    @Test func mainSourceMatchesGolden() throws {
        let emitter = try Self.emitter("mnist.yaml")
        try compare(emitter.mainSource(), Self.root.appendingPathComponent("Tests/CNNEmitterTests/Goldens/MNISTClassifier.main.swift.golden"))
    }

    /// The same spec, reached by another path, gives the same bytes.
    @Test func outputDoesNotDependOnThePathOfTheSpec() throws {
        let first = try #require(Compilation(path: Self.root.path + "/specs/../specs/mnist.yaml").graph)
        let second = try #require(Compilation(path: Self.root.appendingPathComponent("specs/mnist.yaml").path).graph)
        #expect(SwiftEmitter(graph: first).modelSource() == SwiftEmitter(graph: second).modelSource())
    }

    private func compare(_ source: String, _ golden: URL, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        if Self.recording {
            try Data(source.utf8).write(to: golden)
            return
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        guard source != expected else { return }
        let actualLines = source.split(separator: "\n", omittingEmptySubsequences: false)
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let line = zip(actualLines, expectedLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            ?? min(actualLines.count, expectedLines.count)
        Issue.record(
            """
            \(golden.lastPathComponent) differs from the emitted source at line \(line + 1):
              golden:  \(line < expectedLines.count ? expectedLines[line] : "<end>")
              emitted: \(line < actualLines.count ? actualLines[line] : "<end>")
            Re-record with CNNC_RECORD_GOLDENS=1 and review the diff.
            """, sourceLocation: sourceLocation)
    }
}
