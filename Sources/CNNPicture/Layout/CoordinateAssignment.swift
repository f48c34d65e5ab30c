/// Horizontal positions for the vertices of a layered graph, their order within each layer kept.
///
/// First each vertex is *aligned* with at most one neighbour above, as in Brandes and Köpf's
/// method: a dummy vertex with the one it continues, so a long edge runs straight; a node with
/// its nearest input, the one whose edge spans the fewest layers, so a chain of layers runs
/// straight down while a skip connection joins it from the side. When several vertices want the
/// same neighbour, segments of long edges come first, then nodes, the one with the longest chain
/// of nodes below first, then dummy vertices; alignments that would cross are dropped. Aligned
/// vertices form *blocks*, vertical runs that move as one, so they stay exactly in line.
///
/// The blocks are first packed to the left (each as far left as the blocks left of it in any of
/// its layers allow), then relaxed: in rounds, alternately left to right and right to left, each
/// block moves toward the mean position of its members' other neighbours, as far as the gaps
/// beside it allow. That puts a node with several inputs over their middle and pulls a branch or
/// a long edge in against the column it leaves, and it only ever shortens the edges' total
/// squared horizontal length, so it settles.
struct CoordinateAssignment {
    let graph: LayeredGraph
    /// The smallest space between two boxes, and between a long edge and anything beside it.
    let nodeGap: Double
    let lineGap: Double
    /// The vertex above each vertex that it is aligned with, and the inverse.
    private(set) var alignedAbove: [Int?]
    private(set) var alignedBelow: [Int?]

    init(_ graph: LayeredGraph, nodeGap: Double, lineGap: Double) {
        self.graph = graph
        self.nodeGap = nodeGap
        self.lineGap = lineGap
        alignedAbove = Array(repeating: nil, count: graph.vertices.count)
        alignedBelow = Array(repeating: nil, count: graph.vertices.count)
        align()
    }

    /// The centers of the vertices, after at most `rounds` rounds of relaxation.
    func centers(rounds: Int = 60) -> [Double] {
        var root = Array(graph.vertices.indices)
        var members = Array(repeating: [Int](), count: graph.vertices.count)
        var left = Array(repeating: Int?.none, count: graph.vertices.count)
        var right = Array(repeating: Int?.none, count: graph.vertices.count)
        for layer in graph.layers {
            for (index, vertex) in layer.enumerated() {
                if let above = alignedAbove[vertex] { root[vertex] = root[above] }
                members[root[vertex]].append(vertex)
                if index > 0 { left[vertex] = layer[index - 1] }
                if index + 1 < layer.count { right[vertex] = layer[index + 1] }
            }
        }
        let blocks = graph.vertices.indices.filter { root[$0] == $0 }
        var x = packedLeft(blocks: blocks, root: root, members: members, left: left)
        for round in 0..<rounds {
            var moved = 0.0
            let order = blocks.sorted { (x[$0], $0) < (x[$1], $1) }
            for block in round % 2 == 0 ? order : order.reversed() {
                var pull = 0.0
                var count = 0
                for vertex in members[block] {
                    for neighbour in graph.vertices[vertex].up where neighbour != alignedAbove[vertex] {
                        pull += x[root[neighbour]] - x[block]
                        count += 1
                    }
                    for neighbour in graph.vertices[vertex].down where neighbour != alignedBelow[vertex] {
                        pull += x[root[neighbour]] - x[block]
                        count += 1
                    }
                }
                guard count > 0 else { continue }
                var shift = pull / Double(count)
                for vertex in members[block] {
                    if shift < 0, let neighbour = left[vertex] {
                        shift = max(shift, x[root[neighbour]] + separation(neighbour, vertex) - x[block])
                    } else if shift > 0, let neighbour = right[vertex] {
                        shift = min(shift, x[root[neighbour]] - separation(vertex, neighbour) - x[block])
                    }
                }
                x[block] += shift
                moved += abs(shift)
            }
            if moved < 0.01 { break }
        }
        return graph.vertices.indices.map { x[root[$0]] }
    }

    /// Each block as far left as the blocks left of it allow (the block graph has no cycle,
    /// since alignments do not cross), in the order of Kahn's topological sort.
    private func packedLeft(blocks: [Int], root: [Int], members: [[Int]], left: [Int?]) -> [Double] {
        var x = Array(repeating: 0.0, count: graph.vertices.count)
        var waiting = Array(repeating: 0, count: graph.vertices.count)
        var rightOf = Array(repeating: [(vertex: Int, neighbour: Int)](), count: graph.vertices.count)
        for block in blocks {
            for vertex in members[block] {
                guard let neighbour = left[vertex] else { continue }
                waiting[block] += 1
                rightOf[root[neighbour]].append((vertex, neighbour))
            }
        }
        var ready = blocks.filter { waiting[$0] == 0 }
        var next = 0
        while next < ready.count {
            let block = ready[next]
            next += 1
            for (vertex, neighbour) in rightOf[block] {
                let other = root[vertex]
                x[other] = max(x[other], x[block] + separation(neighbour, vertex))
                waiting[other] -= 1
                if waiting[other] == 0 { ready.append(other) }
            }
        }
        return x
    }

    /// The smallest distance between the centers of two neighbours in a layer.
    func separation(_ left: Int, _ right: Int) -> Double {
        let a = graph.vertices[left]
        let b = graph.vertices[right]
        return (a.width + b.width) / 2 + (a.isDummy || b.isDummy ? lineGap : nodeGap)
    }

    /// Chooses the alignments, layer by layer from the top.
    private mutating func align() {
        let position = graph.positions
        let height = graph.heights
        var nearestInputs = Array(repeating: [Int](), count: graph.vertices.count)
        var nearestSpan = Array(repeating: Int.max, count: graph.vertices.count)
        for chain in graph.chains {
            if chain.span < nearestSpan[chain.target] {
                nearestSpan[chain.target] = chain.span
                nearestInputs[chain.target] = [chain.last]
            } else if chain.span == nearestSpan[chain.target], !nearestInputs[chain.target].contains(chain.last) {
                nearestInputs[chain.target].append(chain.last)
            }
        }
        for layer in graph.layers.dropFirst() {
            var candidates: [(vertex: Int, above: Int, priority: Int)] = []
            for vertex in layer {
                if graph.vertices[vertex].isDummy {
                    let above = graph.vertices[vertex].up[0]
                    candidates.append((vertex, above, graph.vertices[above].isDummy ? 3 : 1))
                } else if nearestInputs[vertex].count == 1 {
                    candidates.append((vertex, nearestInputs[vertex][0], 2))
                }
            }
            candidates.sort {
                (-$0.priority, -height[$0.vertex], position[$0.vertex])
                    < (-$1.priority, -height[$1.vertex], position[$1.vertex])
            }
            var accepted: [(vertex: Int, above: Int)] = []
            for candidate in candidates where alignedBelow[candidate.above] == nil {
                let crosses = accepted.contains {
                    (position[$0.vertex] - position[candidate.vertex])
                        * (position[$0.above] - position[candidate.above]) < 0
                }
                guard !crosses else { continue }
                accepted.append((candidate.vertex, candidate.above))
                alignedAbove[candidate.vertex] = candidate.above
                alignedBelow[candidate.above] = candidate.vertex
            }
        }
    }
}
