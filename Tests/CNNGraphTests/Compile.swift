import CNNGraph
import CNNSpec

/// Compiles a spec given as text.
func compile(_ text: String, path: String = "spec.yaml") -> Compilation {
    Compilation(SourceFile(path: path, text: text))
}

/// A one-input spec with the given layers (flow-style mappings, one per line).
func model(input: [Int], _ layers: String...) -> String {
    "input: {shape: \(input)}\nlayers:\n" + layers.map { "  - \($0)\n" }.joined()
}
