import CNNGraph
import CNNSpec
import Foundation
import Testing

@testable import CNNEmitter

/// The kernels a generated model carries are the CNNKernels module the interpreter runs, word for
/// word but for access modifiers, and every declaration of theirs is private to the generated file.
@Suite struct KernelSourceTests {
    static let kernels = GoldenTests.root.appendingPathComponent("Sources/CNNKernels")

    /// The module's files as the embedder sees them: each one's text after its imports (an
    /// `#if canImport` block's `#endif` included), in file name order.
    static func moduleText() throws -> String {
        let names = try FileManager.default.contentsOfDirectory(atPath: kernels.path).filter { $0.hasSuffix(".swift") }
        return try names.sorted().map { name in
            let text = try String(contentsOf: kernels.appendingPathComponent(name), encoding: .utf8)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            var lastImport = lines.lastIndex { $0.drop { $0 == " " }.hasPrefix("import ") }!
            while lines[lastImport + 1].hasPrefix("#endif") { lastImport += 1 }
            let body = lines[(lastImport + 1)...]
            return body.joined(separator: "\n").trimmingCharacters(in: .newlines)
        }.joined(separator: "\n\n")
    }

    /// Text without the access modifiers the embedder may change.
    static func withoutAccess(_ text: String) -> String {
        text.replacing(#/\b(package|private|fileprivate) /#, with: "")
    }

    @Test func emittedKernelsAreTheCompiledOnes() throws {
        #expect(Self.withoutAccess(KernelSource.text) == Self.withoutAccess(try Self.moduleText()))
    }

    /// KernelSource.swift is committed: what KernelEmbedder prints from the kernels now.
    @Test func committedKernelSourceIsCurrent() throws {
        let root = GoldenTests.root
        let embedder = try #require(
            ["debug", "release"].map { root.appendingPathComponent(".build/\($0)/KernelEmbedder") }
                .first { FileManager.default.isExecutableFile(atPath: $0.path) },
            "swift build builds KernelEmbedder")
        let output = FileManager.default.temporaryDirectory.appendingPathComponent(
            "KernelSource-\(UUID().uuidString).swift")
        defer { try? FileManager.default.removeItem(at: output) }
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.kernels.path).filter {
            $0.hasSuffix(".swift")
        }
        let process = Process()
        process.executableURL = embedder
        process.arguments = [output.path] + names.map { Self.kernels.appendingPathComponent($0).path }
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let committed = try String(
            contentsOf: root.appendingPathComponent("Sources/CNNEmitter/KernelSource.swift"), encoding: .utf8)
        #expect(
            try String(contentsOf: output, encoding: .utf8) == committed,
            "Sources/CNNEmitter/KernelSource.swift is out of date: swift run KernelEmbedder Sources/CNNEmitter/KernelSource.swift Sources/CNNKernels/*.swift"
        )
    }

    @Test func everyTopLevelDeclarationIsPrivate() {
        let declaration =
            /^\s*(@\w+(\([^)]*\))?\s+)*(final\s+)?(func|struct|enum|class|protocol|typealias|let|var|extension)\b/
        var depth = 0
        for line in KernelSource.text.split(separator: "\n") {
            if depth == 0, line.firstMatch(of: declaration) != nil {
                Issue.record("a top-level declaration the generated file would export: \(line)")
            }
            let code = line.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            depth += code.filter { $0 == "{" }.count - code.filter { $0 == "}" }.count
        }
        #expect(depth == 0)
    }

    @Test func everyModelCarriesTheKernels() throws {
        let graph = try #require(
            Compilation(path: GoldenTests.root.appendingPathComponent("specs/mnist.yaml").path).graph)
        let source = SwiftEmitter(graph: graph).modelSource()
        // MNIST's relus are its convolutions' clamps: softmax is the only activation pass it calls.
        #expect(source.contains(Runtime.kernels(activations: ["softmax"])))
        #expect(!source.contains("    case .relu: map("))
        #expect(!source.contains("    case .gelu:"))
    }

    /// The kernels a model carries lack only the cases of the activations it does not call, which
    /// a `default` takes; a model that calls every activation carries them word for word.
    @Test func onlyUnusedActivationsAreLeftOut() throws {
        let all = try #require(KernelSource.text.firstMatch(of: /case linear, ([\w, \n]+)\n}/)).1
            .split(whereSeparator: { ", \n".contains($0) }).map(String.init)
        #expect(all.count == 13)
        #expect(Runtime.kernels(activations: Set(all)) == KernelSource.text)
        let kernels = KernelSource.text.split(separator: "\n", omittingEmptySubsequences: false)
        let pruned = Runtime.kernels(activations: ["tanh"]).split(separator: "\n", omittingEmptySubsequences: false)
        let removed = kernels.filter { !pruned.contains($0) }
        #expect(removed.count == 12)
        #expect(removed.allSatisfy { $0.hasPrefix("    case .") && !$0.hasPrefix("    case .tanh") })
        #expect(pruned.filter { !kernels.contains($0) } == ["    default: break"])
    }
}
