import CNNGraph
import Testing

@testable import CNNPicture

/// The layered layout: every box below its inputs, no two boxes overlapping, every edge drawn and
/// kept clear of the boxes it passes, chains straight, the same numbers every time.
@Suite struct LayoutTests {
    typealias Box = LayeredLayout.Box

    /// The properties every layout must have, for a graph whose node `i` reads `inputs[i]`.
    static func check(_ layout: LayeredLayout, sizes: [(width: Double, height: Double)], inputs: [[Int]]) {
        let boxes = layout.boxes
        #expect(boxes.count == inputs.count)
        for (index, box) in boxes.enumerated() {
            #expect(box.width == sizes[index].width && box.height == sizes[index].height)
            #expect(box.left >= 0 && box.right <= layout.width + 1e-9, "box \(index) leaves the drawing")
            #expect(box.top >= 0 && box.bottom <= layout.height + 1e-9, "box \(index) leaves the drawing")
            for input in inputs[index] {
                #expect(box.layer > boxes[input].layer, "box \(index) is not on a layer below its input \(input)")
                #expect(box.top > boxes[input].bottom, "box \(index) is not drawn below its input \(input)")
            }
        }
        for (index, box) in boxes.enumerated() {
            for other in boxes.indices where other > index {
                #expect(!overlaps(box, boxes[other]), "boxes \(index) and \(other) overlap")
            }
        }
        let expected = inputs.enumerated().flatMap { target, sources in sources.map { "\($0)->\(target)" } }
        #expect(layout.routes.map { "\($0.source)->\($0.target)" }.sorted() == expected.sorted())
        for route in layout.routes {
            let source = boxes[route.source]
            let target = boxes[route.target]
            let first = route.points[0]
            let last = route.points[route.points.count - 1]
            #expect(first.y == source.bottom && first.x > source.left && first.x < source.right)
            #expect(last.y == target.top && last.x > target.left && last.x < target.right)
            for (from, to) in zip(route.points, route.points.dropFirst()) {
                #expect(to.y >= from.y, "edge \(route.source)->\(route.target) goes up")
                // A stretch between two points keeps within their bounding rectangle (a straight
                // line, or a curve with vertical ends); no box may reach into it.
                for (index, box) in boxes.enumerated()
                where box.left < max(from.x, to.x) + 0.5 && min(from.x, to.x) - 0.5 < box.right
                    && box.top < to.y && from.y < box.bottom
                {
                    Issue.record("edge \(route.source)->\(route.target) runs through box \(index)")
                }
            }
        }
    }

    static func overlaps(_ a: Box, _ b: Box) -> Bool {
        a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom
    }

    /// The layout the SVG of an example spec uses.
    static func layout(of name: String) throws -> (LayeredLayout, sizes: [(width: Double, height: Double)], [[Int]]) {
        let renderer = SVGRenderer(ModelPicture(try Examples.graph(name)))
        let sizes = renderer.layout.boxes.map { (width: $0.width, height: $0.height) }
        return (renderer.layout, sizes, renderer.picture.boxes.map(\.inputs))
    }

    @Test(arguments: Examples.names)
    func exampleLayoutsAreSound(name: String) throws {
        let (layout, sizes, inputs) = try Self.layout(of: name)
        Self.check(layout, sizes: sizes, inputs: inputs)
    }

    @Test func aChainIsOneStraightColumn() throws {
        let (layout, _, _) = try Self.layout(of: "mnist.yaml")
        #expect(Set(layout.boxes.map(\.centerX)).count == 1)
        #expect(layout.boxes.map(\.layer) == Array(0..<layout.boxes.count))
        #expect(layout.routes.allSatisfy { $0.points.count == 2 && $0.points[0].x == $0.points[1].x })
    }

    /// The residual block's chain stays straight through the add; the shortcut runs beside the
    /// boxes it passes, in one straight stretch.
    @Test func aSkipConnectionGoesAroundTheChain() throws {
        let (layout, _, _) = try Self.layout(of: "residual_block.yaml")
        #expect(Set(layout.boxes.map(\.centerX)).count == 1)
        let skip = try #require(layout.routes.first { $0.source == 1 && $0.target == 7 })
        let stretch = skip.points.dropFirst().dropLast()
        #expect(stretch.count == 10)
        #expect(Set(stretch.map(\.x)).count == 1)
        let passed = layout.boxes[2...6]
        #expect(stretch.allSatisfy { point in passed.allSatisfy { point.x >= $0.right + 14 } })
    }

    /// ResNet-50: every convolution of the main path in one column, each projection shortcut
    /// beside it, each identity shortcut in a straight stretch.
    @Test func resNetKeepsItsMainPathStraight() throws {
        let graph = try Examples.graph("resnet50.yaml")
        let (layout, _, _) = try Self.layout(of: "resnet50.yaml")
        let main = graph.nodes.indices.filter { !graph.nodes[$0].name.contains("_0_") }.map { layout.boxes[$0 + 1] }
        #expect(Set(main.map(\.centerX)).count == 1)
        for route in layout.routes where route.points.count > 2 {
            #expect(Set(route.points.dropFirst().dropLast().map(\.x)).count == 1)
        }
    }

    @Test func aMergeOfTwoEqualBranchesIsCenteredUnderThem() {
        let sizes = Array(repeating: (width: 100.0, height: 40.0), count: 4)
        let inputs = [[], [0], [0], [1, 2]]
        let layout = LayeredLayout(sizes: sizes, inputs: inputs)
        Self.check(layout, sizes: sizes, inputs: inputs)
        let boxes = layout.boxes
        #expect(boxes[1].layer == boxes[2].layer)
        #expect(abs(boxes[3].centerX - (boxes[1].centerX + boxes[2].centerX) / 2) < 0.5)
        #expect(boxes[2].left - boxes[1].right >= LayeredLayout.Spacing().nodeGap)
    }

    @Test func crossingsAreRemovedWhereTheyCanBe() {
        // Two chains declared crosswise: 3 reads 2 and 4 reads 1, then 5 joins them.
        let inputs = [[], [0], [0], [2], [1], [3, 4], [5]]
        var graph = LayeredGraph(widths: Array(repeating: 50, count: inputs.count), inputs: inputs)
        #expect(graph.crossings() > 0)
        graph.reduceCrossings()
        #expect(graph.crossings() == 0)
        let sizes = Array(repeating: (width: 50.0, height: 20.0), count: inputs.count)
        Self.check(LayeredLayout(sizes: sizes, inputs: inputs), sizes: sizes, inputs: inputs)
    }

    @Test func longEdgesGetADummyVertexOnEveryLayerTheyPass() {
        let graph = LayeredGraph(widths: [10, 10, 10, 10], inputs: [[], [0], [1], [0, 2]])
        #expect(graph.vertices.prefix(4).map(\.layer) == [0, 1, 2, 3])
        let long = graph.chains.first { $0.source == 0 && $0.target == 3 }!
        #expect(long.span == 3)
        #expect(long.vertices.dropFirst().dropLast().map { graph.vertices[$0].layer } == [1, 2])
        #expect(long.vertices.dropFirst().dropLast().allSatisfy { graph.vertices[$0].isDummy })
    }

    @Test func aNodeWithManyInputsSpreadsThemOverItsTop() {
        let sizes = Array(repeating: (width: 120.0, height: 40.0), count: 5)
        let inputs = [[], [0], [0], [0], [1, 2, 3]]
        let layout = LayeredLayout(sizes: sizes, inputs: inputs)
        Self.check(layout, sizes: sizes, inputs: inputs)
        let entries = layout.routes.filter { $0.target == 4 }.map { $0.points[$0.points.count - 1].x }
        #expect(Set(entries).count == 3)
    }

    @Test(arguments: ["resnet50.yaml", "efficientnet_b0.yaml", "unet_small.yaml"])
    func layoutIsDeterministic(name: String) throws {
        let (first, _, _) = try Self.layout(of: name)
        let (second, _, _) = try Self.layout(of: name)
        #expect(first.boxes == second.boxes)
        #expect(first.routes == second.routes)
        #expect(first.width == second.width && first.height == second.height)
    }

    /// The checks above catch a long edge drawn through the boxes beside it (here, with no room
    /// left for it), so their passing means something.
    @Test func theChecksCatchAnEdgeThroughABox() {
        let sizes = Array(repeating: (width: 100.0, height: 40.0), count: 4)
        let inputs = [[], [0], [1], [0, 2]]
        let cramped = LayeredLayout(sizes: sizes, inputs: inputs, spacing: .init(lineGap: -60))
        withKnownIssue { Self.check(cramped, sizes: sizes, inputs: inputs) }
        Self.check(LayeredLayout(sizes: sizes, inputs: inputs), sizes: sizes, inputs: inputs)
    }

    @Test func singleNodeGraph() {
        let layout = LayeredLayout(sizes: [(width: 80, height: 30)], inputs: [[]])
        #expect(layout.boxes == [Box(left: 0, top: 0, width: 80, height: 30, layer: 0)])
        #expect(layout.routes.isEmpty)
        #expect(layout.width == 80 && layout.height == 30)
    }
}
