extension LayeredGraph {
    /// Reorders the vertices within their layers to reduce edge crossings, by barycenter sweeps
    /// (Sugiyama et al.): going down, each layer is sorted by the mean position of its vertices'
    /// neighbours on the layer above; going up, by those on the layer below. Ties, and vertices
    /// without neighbours on that side, keep their order, so the result is deterministic. The
    /// order with the fewest crossings seen is kept.
    mutating func reduceCrossings(sweeps: Int = 12) {
        var best = layers
        var fewest = crossings()
        for _ in 0..<sweeps where fewest > 0 {
            for layer in layers.indices.dropFirst() { sortByBarycenter(layer, neighbours: \.up) }
            for layer in layers.indices.dropLast().reversed() { sortByBarycenter(layer, neighbours: \.down) }
            let count = crossings()
            if count < fewest {
                fewest = count
                best = layers
            }
        }
        layers = best
    }

    /// Sorts one layer by the mean position of each vertex's neighbours on the adjacent layer.
    private mutating func sortByBarycenter(_ layer: Int, neighbours: KeyPath<Vertex, [Int]>) {
        let position = positions
        let keys: [(key: Double, current: Int, vertex: Int)] = layers[layer].enumerated().map { current, vertex in
            let adjacent = vertices[vertex][keyPath: neighbours]
            guard !adjacent.isEmpty else { return (Double(current), current, vertex) }
            let mean = Double(adjacent.reduce(0) { $0 + position[$1] }) / Double(adjacent.count)
            return (mean, current, vertex)
        }
        layers[layer] = keys.sorted { ($0.key, $0.current) < ($1.key, $1.current) }.map(\.vertex)
    }

    /// The number of pairs of edges that cross, over all pairs of adjacent layers.
    func crossings() -> Int {
        let position = positions
        var total = 0
        for layer in layers.dropLast() {
            var edges: [(upper: Int, lower: Int)] = []
            for vertex in layer {
                for lower in vertices[vertex].down { edges.append((position[vertex], position[lower])) }
            }
            for (index, first) in edges.enumerated() {
                for second in edges[(index + 1)...] {
                    if (first.upper - second.upper) * (first.lower - second.lower) < 0 { total += 1 }
                }
            }
        }
        return total
    }
}
