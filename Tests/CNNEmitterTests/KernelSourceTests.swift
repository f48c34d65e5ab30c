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

    @Test func everyModelCarriesTheKernelsItReaches() throws {
        let graph = try #require(
            Compilation(path: GoldenTests.root.appendingPathComponent("specs/mnist.yaml").path).graph)
        let source = SwiftEmitter(graph: graph).modelSource()
        // MNIST's relus are its convolutions' clamps: softmax is the only activation pass it calls.
        #expect(!source.contains("    case .relu: map("))
        #expect(!source.contains("    case .gelu:"))
        // What its layers call, and what those call in turn; not the kernels of layers it lacks.
        for reached in [
            "func shallowConvolution(", "func winogradConvolution(", "func patchConvolution(", "func multiplyBlocks<",
            "struct Patches: RowSource", "func softmax(", "func exp(", "let panelWidth = 16", "func llvmPrefetch(",
        ] {
            #expect(source.contains(reached), "\(reached)")
        }
        for unreached in ["func depthwise(", "func upsampleBilinear(", "func separable(", "enum Gelu", "func erf("] {
            #expect(!source.contains(unreached), "\(unreached)")
        }
        // The kernels it carries are the module's text with whole declarations left out.
        let kernels = Runtime.kernels(activations: ["softmax"]).split(separator: "\n", omittingEmptySubsequences: false)
        let carried = try #require(source.firstRange(of: kernels[0]).map { source[$0.lowerBound...] })
            .split(separator: "\n", omittingEmptySubsequences: false)
        var index = kernels.startIndex
        for line in carried.prefix(while: { $0 != "// MARK: - Weights" }) where !line.isEmpty {
            guard let found = kernels[index...].firstIndex(of: line) else {
                Issue.record("a line the kernels do not have, or out of order: \(line)")
                break
            }
            index = found + 1
        }
    }

    /// The declarations put back together are the kernels' text, and each top-level name is one
    /// piece's; code that reaches every name keeps the whole text.
    @Test func declarationsCoverTheText() {
        let declarations = KernelDeclarations(KernelSource.text)
        #expect(declarations.pieces.flatMap(\.lines).joined(separator: "\n") == KernelSource.text)
        let names = declarations.pieces.flatMap(\.names)
        var (declared, depth) = (0, 0)
        let declaration =
            /^\s*(@\w+(\([^)]*\))?\s+)*private\s+(final\s+)?(func|struct|enum|class|protocol|typealias|let|var)\s/
        for line in KernelSource.text.split(separator: "\n") {
            if depth == 0, line.firstMatch(of: declaration) != nil { declared += 1 }
            let code = line.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            depth += code.filter { $0 == "{" }.count - code.filter { $0 == "}" }.count
        }
        #expect(names.count == declared)
        for name in ["activate", "multiply", "Patches", "panelWidth", "llvmPrefetch", "VectorFunction", "Vector"] {
            #expect(names.contains(Substring(name)), "\(name)")
        }
        let pieces = declarations.pieces.filter { !$0.names.isEmpty }
        #expect(pieces.allSatisfy { $0.hasCode })
        #expect(declarations.reachable(from: Set(names).joined(separator: " ")) == KernelSource.text)
        #expect(declarations.reachable(from: "").split(separator: "\n").allSatisfy { $0.hasPrefix("//") })
    }

    /// Comments and string literals name nothing; an extension comes with the type it extends.
    @Test func onlyCodeReaches() {
        let text = """
            /// Uses `b`.
            private func a() { c() }

            private func b() {}
            private func c() { print("b") }  // b
            private struct D {}
            extension D { func e() { b() } }
            private enum F {
                case g, a,
                    b
            }
            private func g() { _ = 0...a; _ = F.b }
            """
        let declarations = KernelDeclarations(text)
        #expect(declarations.pieces.map(\.names) == [["a"], [], ["b"], ["c"], ["D"], [], ["F"], ["g"]])
        // A case as its enum declares it, or a member, names no top-level declaration.
        #expect(declarations.pieces[6].mentions == ["private", "enum", "F"])
        #expect(declarations.pieces[7].mentions == ["private", "func", "g", "_", "a", "F"])
        #expect(
            declarations.reachable(from: "a()")
                == "/// Uses `b`.\nprivate func a() { c() }\n\nprivate func c() { print(\"b\") }  // b")
        #expect(declarations.reachable(from: "D()").contains("extension D { func e() { b() } }"))
        #expect(declarations.reachable(from: "D()").contains("private func b() {}"))
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
