import CNNFormats
import CNNGraph

/// A weights file's tensors matched against the tensors a graph declares, by key
/// (`<layer>.<weight>`) and Keras shape. Nothing is guessed: a missing, extra or wrongly shaped
/// tensor is an error, and all of them are named in one.
public struct ModelWeights {
    /// For each node, its tensors' scalars in the order of `GraphNode.weights`.
    let layers: [[[Float]]]

    public init(_ graph: Graph, tensors: [String: Tensor], path: String) throws(FileFormatError) {
        var problems: [String] = []
        var declared = Set<String>()
        var layers: [[[Float]]] = []
        for node in graph.nodes {
            var scalars: [[Float]] = []
            for weight in node.weights {
                let key = "\(node.name).\(weight.name)"
                declared.insert(key)
                let expected = Tensor.describe(weight.shape)
                guard let tensor = tensors[key] else {
                    problems.append("missing '\(key)': layer '\(node.name)' (\(node.location)) needs shape \(expected)")
                    continue
                }
                guard tensor.shape == weight.shape else {
                    problems.append(
                        "'\(key)' has shape \(tensor.shapeDescription); layer '\(node.name)' (\(node.location)) needs \(expected)")
                    continue
                }
                scalars.append(tensor.scalars)
            }
            layers.append(scalars)
        }
        for key in tensors.keys.sorted() where !declared.contains(key) {
            problems.append("unexpected '\(key)' \(tensors[key]!.shapeDescription): the spec declares no such weight")
        }
        guard problems.isEmpty else {
            let count = problems.count == 1 ? "a tensor does" : "\(problems.count) tensors do"
            throw FileFormatError(
                path: path, message: "\(count) not match the weights \(graph.file) declares", notes: problems)
        }
        self.layers = layers
    }
}
