import CNNFormats
import CNNGraph
import CNNInterpreter
import CNNSpec
import Testing

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

/// `count` pseudo-random floats in [-1, 1), the same on every run.
func randomScalars(_ count: Int, seed: UInt64) -> [Float] {
    var state = seed &+ 0x9E37_79B9_7F4A_7C15
    return (0..<count).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Float(state >> 40) / Float(1 << 23) - 1
    }
}

/// Asserts that two tensors agree within the contract's tolerance, naming the worst element.
func expectClose(
    _ actual: Tensor, _ expected: Tensor, absolute: Float = 1e-4, relative: Float = 1e-4,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
    #expect(actual.shape == expected.shape, sourceLocation: sourceLocation)
    guard actual.shape == expected.shape else { return }
    var worst: (index: Int, excess: Float)? = nil
    for (index, (a, e)) in zip(actual.scalars, expected.scalars).enumerated() {
        let excess = abs(a - e) - (absolute + relative * abs(e))
        if !(excess <= 0), worst == nil || !(excess <= worst!.excess) { worst = (index, excess) }
    }
    if let worst {
        Issue.record(
            "element \(worst.index) is \(actual.scalars[worst.index]), expected \(expected.scalars[worst.index])",
            sourceLocation: sourceLocation)
    }
}
