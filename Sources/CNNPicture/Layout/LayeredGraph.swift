/// The graph a layered layout works on (Sugiyama, Tagawa and Toda, 1981).
///
/// Every node sits on a layer: its longest path from a source, so that each node is drawn below
/// all of its inputs and a chain of layers becomes a column. An edge that spans several layers is
/// broken by a dummy vertex on every layer it passes, so that every edge joins neighbouring
/// layers; the dummy vertices take room in their layers like narrow boxes, which is what routes a
/// skip connection around the boxes beside it instead of through them.
struct LayeredGraph {
    /// A node of the input graph, or a dummy vertex of a long edge.
    struct Vertex {
        var layer: Int
        var width: Double
        /// The node this vertex draws; nil for a dummy vertex.
        var node: Int?
        /// Neighbours on the layer above and below, one entry per edge.
        var up: [Int] = []
        var down: [Int] = []

        var isDummy: Bool { node == nil }
    }

    /// An edge of the input graph and the vertices it passes, its source first and its target last.
    struct Chain {
        var source: Int
        var target: Int
        var vertices: [Int]

        /// How many layers the edge spans.
        var span: Int { vertices.count - 1 }
        /// The vertex the edge enters its target from.
        var last: Int { vertices[vertices.count - 2] }
    }

    /// The real vertices first, vertex `i` drawing node `i`, then the dummy vertices.
    var vertices: [Vertex]
    /// One per edge, in the order of the targets and then of their inputs.
    var chains: [Chain]
    /// The vertices of each layer, left to right.
    var layers: [[Int]]

    /// Layers the graph whose node `i` reads `inputs[i]`, each input an earlier node.
    init(widths: [Double], inputs: [[Int]]) {
        precondition(widths.count == inputs.count, "one width per node")
        var vertices: [Vertex] = []
        for (node, nodeInputs) in inputs.enumerated() {
            precondition(nodeInputs.allSatisfy { $0 < node }, "inputs come before the node that reads them")
            let layer = nodeInputs.map { vertices[$0].layer + 1 }.max() ?? 0
            vertices.append(Vertex(layer: layer, width: widths[node], node: node))
        }
        var chains: [Chain] = []
        for (target, nodeInputs) in inputs.enumerated() {
            for source in nodeInputs {
                var path = [source]
                for layer in (vertices[source].layer + 1)..<vertices[target].layer {
                    vertices.append(Vertex(layer: layer, width: 0, node: nil))
                    path.append(vertices.count - 1)
                }
                path.append(target)
                for (upper, lower) in zip(path, path.dropFirst()) {
                    vertices[upper].down.append(lower)
                    vertices[lower].up.append(upper)
                }
                chains.append(Chain(source: source, target: target, vertices: path))
            }
        }
        self.vertices = vertices
        self.chains = chains
        let depth = (vertices.map(\.layer).max() ?? -1) + 1
        layers = Array(repeating: [], count: depth)
        for (index, vertex) in vertices.enumerated() { layers[vertex.layer].append(index) }
    }

    /// Each vertex's index within its layer.
    var positions: [Int] {
        var result = Array(repeating: 0, count: vertices.count)
        for layer in layers {
            for (position, vertex) in layer.enumerated() { result[vertex] = position }
        }
        return result
    }

    /// Each vertex's longest path down to a node that nothing reads, counted in nodes (dummy
    /// vertices count nothing): a chain of layers beats a shortcut that spans as many layers.
    var heights: [Int] {
        var result = Array(repeating: 0, count: vertices.count)
        for layer in layers.reversed() {
            for vertex in layer {
                result[vertex] = vertices[vertex].down.map { result[$0] + (vertices[$0].isDummy ? 0 : 1) }.max() ?? 0
            }
        }
        return result
    }
}
