import CNNGraph
import CNNSpec
import Foundation

/// The example specs of the package, each compiled.
enum Examples {
    static let specs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("specs")

    /// Every spec in `specs/` (not its `invalid/` and `warnings/` folders), by file name.
    static let names: [String] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: specs.path)) ?? []
        return files.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".json") }.sorted()
    }()

    static func graph(_ name: String) throws -> Graph {
        let compilation = Compilation(path: specs.appendingPathComponent(name).path)
        guard let graph = compilation.graph else { throw Invalid(name: name, diagnostics: compilation.diagnostics) }
        return graph
    }

    struct Invalid: Error {
        var name: String
        var diagnostics: [Diagnostic]
    }
}

/// The graph of a spec given as text.
func graph(_ text: String) throws -> Graph {
    let compilation = Compilation(SourceFile(path: "spec.yaml", text: text))
    guard let graph = compilation.graph else {
        throw Examples.Invalid(name: "spec.yaml", diagnostics: compilation.diagnostics)
    }
    return graph
}

/// How many times `needle` occurs in `text`.
func occurrences(of needle: String, in text: String) -> Int {
    text.components(separatedBy: needle).count - 1
}
