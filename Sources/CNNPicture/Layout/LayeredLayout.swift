/// A top-to-bottom drawing of a directed acyclic graph: where each box goes and the line each edge takes.
///
/// The steps are Sugiyama's: layers by longest path (every node below all of its inputs), a dummy
/// vertex wherever an edge passes a layer, barycenter sweeps against crossings, then horizontal
/// positions that keep chains and long edges straight and center a node over its inputs
/// (`CoordinateAssignment`). An edge leaves the bottom of its source and enters the top of its
/// target; a box with several edges on one side gets a point for each, spread in the order the
/// edges go, the straight one in the middle. Everything is deterministic: the same graph gives
/// the same numbers.
public struct LayeredLayout: Sendable {
    /// A point in the drawing, y growing downwards.
    public struct Point: Hashable, Sendable {
        public var x: Double
        public var y: Double
    }

    /// Where a node's box goes.
    public struct Box: Hashable, Sendable {
        public var left: Double
        public var top: Double
        public var width: Double
        public var height: Double
        /// The node's layer: 0 for the sources, and one more than its lowest input otherwise.
        public var layer: Int

        public var right: Double { left + width }
        public var bottom: Double { top + height }
        public var centerX: Double { left + width / 2 }
    }

    /// The line of one edge: from the bottom of its source's box, through a bend on every layer it
    /// passes, to the top of its target's box. Between layers it runs from one point to the next;
    /// the points of a passed layer are the top and bottom of the straight stretch beside its boxes.
    public struct Route: Hashable, Sendable {
        public var source: Int
        public var target: Int
        public var points: [Point]
    }

    /// The space between boxes in a layer, between a long edge and its neighbours, and between layers.
    public struct Spacing: Sendable {
        public var nodeGap: Double
        public var lineGap: Double
        public var layerGap: Double

        public init(nodeGap: Double = 24, lineGap: Double = 14, layerGap: Double = 30) {
            self.nodeGap = nodeGap
            self.lineGap = lineGap
            self.layerGap = layerGap
        }
    }

    /// One per node, in the order given.
    public private(set) var boxes: [Box]
    /// One per edge, ordered by target and then by the target's inputs.
    public private(set) var routes: [Route]
    /// The extent of the drawing: boxes and routes lie within [0, width] × [0, height].
    public private(set) var width: Double
    public private(set) var height: Double

    /// Lays out the graph whose node `i` has a box of `sizes[i]` and reads `inputs[i]`, each input
    /// an earlier node (a topological order, which a spec's layer order is).
    public init(sizes: [(width: Double, height: Double)], inputs: [[Int]], spacing: Spacing = Spacing()) {
        var graph = LayeredGraph(widths: sizes.map(\.width), inputs: inputs)
        graph.reduceCrossings()
        let assignment = CoordinateAssignment(graph, nodeGap: spacing.nodeGap, lineGap: spacing.lineGap)
        var x = assignment.centers()
        let left = graph.vertices.indices.map { x[$0] - graph.vertices[$0].width / 2 }.min() ?? 0
        let right = graph.vertices.indices.map { x[$0] + graph.vertices[$0].width / 2 }.max() ?? 0
        for index in x.indices { x[index] -= left }

        var tops: [Double] = []
        var layerHeights: [Double] = []
        var next = 0.0
        for layer in graph.layers {
            let tallest = layer.compactMap { graph.vertices[$0].node.map { sizes[$0].height } }.max() ?? 0
            tops.append(next)
            layerHeights.append(tallest)
            next += tallest + spacing.layerGap
        }
        boxes = sizes.indices.map { node in
            let layer = graph.vertices[node].layer
            return Box(
                left: x[node] - sizes[node].width / 2, top: tops[layer], width: sizes[node].width,
                height: sizes[node].height, layer: layer)
        }
        width = right - left
        height = max(0, next - spacing.layerGap)

        let entries = Self.portOffsets(
            ends: graph.chains.map { ($0.target, $0.last) }, x: x, aligned: assignment.alignedAbove, boxes: boxes)
        let exits = Self.portOffsets(
            ends: graph.chains.map { ($0.source, $0.vertices[1]) }, x: x, aligned: assignment.alignedBelow, boxes: boxes
        )
        var routes: [Route] = []
        for (index, chain) in graph.chains.enumerated() {
            var points = [Point(x: x[chain.source] + exits[index], y: boxes[chain.source].bottom)]
            for vertex in chain.vertices.dropFirst().dropLast() {
                let layer = graph.vertices[vertex].layer
                points.append(Point(x: x[vertex], y: tops[layer]))
                points.append(Point(x: x[vertex], y: tops[layer] + layerHeights[layer]))
            }
            points.append(Point(x: x[chain.target] + entries[index], y: boxes[chain.target].top))
            routes.append(Route(source: chain.source, target: chain.target, points: points))
        }
        self.routes = routes
    }

    /// Per chain, where it leaves or enters a box, as an offset from the box's middle. `ends[i]`
    /// is chain i's box at that end and its vertex next to the box. The chain from the box's
    /// aligned neighbour runs straight from the middle; the others sit beside it on the side they
    /// go to (or come from), in order, 24 apart or closer to fit; a box without an aligned chain
    /// has its chains spread evenly about the middle.
    private static func portOffsets(ends: [(box: Int, next: Int)], x: [Double], aligned: [Int?], boxes: [Box])
        -> [Double]
    {
        var offsets = Array(repeating: 0.0, count: ends.count)
        var chainsByBox = Array(repeating: [Int](), count: boxes.count)
        for (index, end) in ends.enumerated() { chainsByBox[end.box].append(index) }
        for (box, chains) in chainsByBox.enumerated() where chains.count > 1 {
            let sorted = chains.sorted { (x[ends[$0].next], $0) < (x[ends[$1].next], $1) }
            // Half a box's height in from each end, clear of a rounded end.
            let room = max(0, boxes[box].width - boxes[box].height)
            guard let straight = sorted.firstIndex(where: { ends[$0].next == aligned[box] }) else {
                let step = min(24, room / Double(sorted.count - 1))
                for (rank, chain) in sorted.enumerated() {
                    offsets[chain] = (Double(rank) - Double(sorted.count - 1) / 2) * step
                }
                continue
            }
            let step = min(24, room / 2 / Double(max(straight, sorted.count - straight - 1)))
            for (rank, chain) in sorted.enumerated() { offsets[chain] = Double(rank - straight) * step }
        }
        return offsets
    }
}
