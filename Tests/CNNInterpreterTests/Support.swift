import CNNFormats
import CNNGraph
import CNNInterpreter
import CNNSpec
import Testing
import TestSupport

/// Builds the graph of a spec given as `layers` YAML lines under an input of `shape`.
func graph(input shape: [Int], _ layers: String) throws -> Graph {
    let text = "input: {shape: \(shape)}\nlayers:\n" + layers
    let compilation = Compilation(SourceFile(path: "test.yaml", text: text))
    let errors = compilation.diagnostics.filter { $0.severity == .error }
    #expect(errors.isEmpty, "\(errors)")
    return try #require(compilation.graph)
}

/// Runs a spec snippet on `input` with `weights`.
func run(input: Tensor, _ layers: String, weights: [String: Tensor] = [:]) throws -> Tensor {
    let graph = try graph(input: Array(input.shape.dropFirst()), layers)
    return try Interpreter(graph: graph, weights: weights, weightsPath: "weights.safetensors").run(input)
}

/// A tensor whose scalars are 0, 1, 2, … (or `values`).
func tensor(_ shape: [Int], _ values: [Float]? = nil) -> Tensor {
    Tensor(shape: shape, scalars: values ?? (0..<shape.reduce(1, *)).map(Float.init))
}

