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
        // Missing tensors, kept apart so that each can be paired with an unexpected one of its shape.
        var missing: [(key: String, shape: [Int], layer: String)] = []
        for node in graph.nodes {
            var scalars: [[Float]] = []
            for weight in node.weights {
                let key = "\(node.name).\(weight.name)"
                declared.insert(key)
                let expected = Tensor.describe(weight.shape)
                guard let tensor = tensors[key] else {
                    missing.append((key, weight.shape, "layer '\(node.name)' (\(node.location))"))
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
        var unexpected = tensors.keys.sorted().filter { !declared.contains($0) }
        for (key, shape, layer) in missing {
            // The unexpected tensor of the same shape a file from elsewhere most likely meant: the
            // same parameter name first (Keras's `batch_normalization.gamma` for `batch_norm.gamma`).
            let candidates = unexpected.filter { tensors[$0]!.shape == shape }
            let parameter = key.split(separator: ".").last.map(String.init) ?? key
            if let meant = candidates.first(where: { $0.hasSuffix("." + parameter) }) ?? candidates.first {
                unexpected.removeAll { $0 == meant }
                problems.append(
                    "missing '\(key)': \(layer) needs shape \(Tensor.describe(shape)); did you mean '\(meant)', "
                        + "which the file has in that shape? Rename it to '\(key)'")
            } else {
                problems.append("missing '\(key)': \(layer) needs shape \(Tensor.describe(shape))")
            }
        }
        for key in unexpected {
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
