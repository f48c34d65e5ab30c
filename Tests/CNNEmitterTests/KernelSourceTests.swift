import CNNGraph
import CNNSpec
import Foundation
import Testing

@testable import CNNEmitter

/// The kernels a generated model carries are the CNNKernels module the interpreter runs, word for
/// word but for access modifiers, and every declaration of theirs is private to the generated file.
@Suite struct KernelSourceTests {
    static let kernels = GoldenTests.root.appendingPathComponent("Sources/CNNKernels")

    /// The module's files as the embedder sees them: each one's text after its imports, in file
    /// name order.
    static func moduleText() throws -> String {
        let names = try FileManager.default.contentsOfDirectory(atPath: kernels.path).filter { $0.hasSuffix(".swift") }
        return try names.sorted().map { name in
            let text = try String(contentsOf: kernels.appendingPathComponent(name), encoding: .utf8)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let body = lines[(lines.lastIndex { $0.hasPrefix("import ") }! + 1)...]
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

    @Test func everyTopLevelDeclarationIsPrivate() {
        let declaration = /^\s*(@\w+(\([^)]*\))?\s+)*(final\s+)?(func|struct|enum|class|protocol|typealias|let|var|extension)\b/
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
        let graph = try #require(Compilation(path: GoldenTests.root.appendingPathComponent("specs/mnist.yaml").path).graph)
        #expect(SwiftEmitter(graph: graph).modelSource().contains(KernelSource.text))
    }
}
