import CNNGraph
import Foundation

/// `cnnc run --profile`'s table: each layer that runs as a step of its own, with its median time
/// over the benchmark runs, its share of the batch's time and its arithmetic rate.
struct LayerProfile {
    let graph: Graph
    /// The nodes that ran, in order.
    let steps: [Int]
    /// Per run, each node's nanoseconds.
    let runs: [[UInt64]]
    let batch: Int

    func rendered() -> String {
        let medians = steps.map { node in median(runs.map { $0[node] }) }
        let total = max(1, medians.reduce(0, +))
        var rows = [["layer", "type", "output shape", "time", "share", "GFLOP/s"]]
        for (node, time) in zip(steps, medians) {
            let layer = graph.nodes[node]
            let flops = 2 * layer.macs * batch
            rows.append([
                layer.name, layer.kind.rawValue, layer.outputShape.kerasDescription, Self.duration(time),
                String(format: "%.1f%%", 100 * Double(time) / Double(total)),
                flops > 0 && time > 0 ? String(format: "%.1f", Double(flops) / Double(time)) : "",
            ])
        }
        let folded = graph.nodes.count - steps.count
        rows.append([
            "total", "\(steps.count) steps", "", Self.duration(total), "100.0%",
            String(format: "%.1f", Double(2 * graph.nodes.reduce(0) { $0 + $1.macs } * batch) / Double(total)),
        ])
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        // Names and types read left-aligned, numbers right-aligned.
        let lines = rows.map { row in
            row.indices.map { column in
                let padding = String(repeating: " ", count: widths[column] - row[column].count)
                return column < 3 ? row[column] + padding : padding + row[column]
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        var text = lines.dropLast().joined(separator: "\n") + "\n"
        text += String(repeating: "-", count: lines[0].count) + "\n" + lines.last! + "\n"
        text += "Medians of \(runs.count) runs of a batch of \(batch), the first thread's clock."
        if folded > 0 {
            let (layers, verb) = folded == 1 ? ("1 layer", "runs") : ("\(folded) layers", "run")
            text += " \(layers) (folded batch norms, activations and residual adds, reshapes) \(verb)"
            text += " inside another's step."
        }
        return text + "\n\n"
    }

    /// Nanoseconds as µs or ms, three significant figures or more.
    private static func duration(_ nanoseconds: UInt64) -> String {
        let value = Double(nanoseconds)
        if value >= 1e6 { return String(format: "%.2f ms", value / 1e6) }
        return String(format: value >= 1e4 ? "%.0f µs" : "%.1f µs", value / 1e3)
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}

/// The median of `values` (the mean of the middle two for an even count; 0 for none).
func median(_ values: [UInt64]) -> UInt64 {
    let values = values.sorted()
    guard !values.isEmpty else { return 0 }
    let middle = values.count / 2
    return values.count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2
}
