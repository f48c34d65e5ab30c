import CNNEmitter
import CNNFormats
import CNNGraph
import CNNInterpreter
import CNNSpec
import Foundation
import FuzzSupport

/// One fuzz input as a spec: decoded as `cnnc` decodes a file, parsed and validated, its
/// diagnostics rendered in every format, and a valid graph summarized, printed as Swift and,
/// when small enough to be cheap, run by the interpreter.
enum SpecPipeline {
    /// Graphs the interpreter runs on every input stay under these, per sample: its cost grows
    /// with multiply-adds, weights and activations.
    static let maximumMACs = 100_000
    static let maximumWeights = 100_000
    static let maximumActivation = 100_000

    /// The samples in the interpreter's input batch: more than one, so batch strides are used.
    static let batch = 2

    static func run(_ bytes: UnsafeRawBufferPointer) {
        // JSON and YAML go through one reader, but JSON names its syntax errors differently.
        let path = bytes.first == UInt8(ascii: "{") ? "fuzz.json" : "fuzz.yaml"
        let compilation: Compilation
        switch SourceFile.decode(Data(bytes), path: path) {
        case .failure(let diagnostic):
            render([diagnostic], source: nil)
            return
        case .success(let text):
            compilation = Compilation(SourceFile(path: path, text: text))
        }
        render(compilation.diagnostics, source: compilation.source)
        guard let graph = compilation.graph else { return }

        let summary = ModelSummary(graph)
        _ = summary.table
        _ = summary.json.rendered(pretty: true)

        let emitter = SwiftEmitter(graph: graph)
        _ = emitter.modelSource()
        _ = emitter.mainSource()

        guard isSmall(graph, summary) else { return }
        let tensors = weights(for: graph)
        _ = SwiftEmitter(graph: graph, embedding: tensors).modelSource()
        do {
            let interpreter = try Interpreter(graph: graph, weights: tensors, weightsPath: "fuzz.safetensors")
            let input = Deterministic.tensor([batch] + graph.inputShape.dimensions, seed: 0)
            let output = try interpreter.run(input, path: "fuzz.npy")
            precondition(output.shape == [batch] + graph.outputShape.dimensions, "output shape \(output.shape)")
        } catch {
            fatalError("weights made from the graph's own declaration were refused: \(error)")
        }
    }

    /// Renders `diagnostics` in every format, as `check` prints them.
    private static func render(_ diagnostics: [Diagnostic], source: SourceFile?) {
        for format in DiagnosticFormat.allCases {
            for colored in format == .text ? [false, true] : [false] {
                var renderer = DiagnosticRenderer(format: format, colored: colored)
                if let source { renderer.add(source) }
                _ = renderer.render(diagnostics)
            }
        }
    }

    /// Whether running `graph` on a small batch is cheap enough to do for every input.
    private static func isSmall(_ graph: Graph, _ summary: ModelSummary) -> Bool {
        let activations = [graph.inputShape] + graph.nodes.map(\.outputShape)
        return summary.totalMACs <= maximumMACs && summary.totalParameters <= maximumWeights
            && activations.allSatisfy { ($0.elementCount ?? .max) <= maximumActivation }
    }

    /// One tensor per weight the graph declares, with its key and shape and deterministic values.
    private static func weights(for graph: Graph) -> [String: Tensor] {
        var tensors: [String: Tensor] = [:]
        for node in graph.nodes {
            for (index, weight) in node.weights.enumerated() {
                tensors["\(node.name).\(weight.name)"] = Deterministic.tensor(weight.shape, seed: index + 1)
            }
        }
        return tensors
    }
}
