import CNNGraph
import Foundation
import Testing

@testable import CNNPicture

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The structure of each format: one box per layer and the input, one arrow per input, the
/// labels, the title, and text that needed escaping.
@Suite struct RendererTests {
    static let residual = """
        name: Tricky
        description: "weights & biases <for> \\"fun\\" \\\\N\\nsecond line %% #lt;"
        input: {shape: [8, 8, 3]}
        layers:
          - {type: conv2d, name: c1, filters: 4, kernel_size: 3, padding: same, activation: relu}
          - {type: conv2d, name: c2, filters: 4, kernel_size: 3, padding: same}
          - {type: add, name: end, inputs: [c1, c2]}
          - {type: relu, name: capped, max_value: 4, negative_slope: 0.1}
          - {type: flatten}
          - {type: dropout, rate: 0.5}
          - {type: dense, units: 2, activation: softmax}
        """

    /// Whether `text` is well-formed XML.
    static func isWellFormedXML(_ text: String) -> Bool {
        XMLParser(data: Data(text.utf8)).parse()
    }

    @Test func labelsNameTypeShapeAndParameters() throws {
        let picture = ModelPicture(try graph(Self.residual))
        #expect(
            picture.boxes.map(\.heading) == [
                "input · input", "c1 · conv2d (relu)", "c2 · conv2d", "end · add", "capped · relu (max 4, slope 0.1)",
                "flatten · flatten", "dropout · dropout", "dense · dense (softmax)",
            ])
        #expect(picture.boxes[0].detail == "[8, 8, 3]")
        #expect(picture.boxes[1].detail == "[8, 8, 4] · 112 params")
        #expect(picture.boxes[7].detail == "[2] · 514 params")
        #expect(picture.boxes.map(\.inputs) == [[], [0], [1], [1, 2], [3], [4], [5], [6]])
        #expect(
            picture.boxes.map(\.family) == [
                .input, .convolution, .convolution, .merge, .activation, .reshaping, .dropout, .dense,
            ])
        #expect(picture.title == "Tricky")
        #expect(picture.totals == "7 layers · 774 params · 16,640 multiply-adds · [8, 8, 3] → [2]")
    }

    @Test(arguments: Examples.names)
    func svgHasOneRectPerBoxAndIsWellFormed(name: String) throws {
        let graph = try Examples.graph(name)
        let svg = ModelPicture(graph).rendered(as: .svg)
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" "))
        #expect(svg.hasSuffix("</svg>\n"))
        #expect(occurrences(of: "<rect ", in: svg) == graph.nodes.count + 1)
        #expect(
            occurrences(of: "marker-end=\"url(#arrow)\"", in: svg) == graph.nodes.reduce(0) { $0 + $1.inputs.count })
        #expect(Self.isWellFormedXML(svg))
        for node in graph.nodes { #expect(svg.contains("<tspan font-weight=\"bold\">\(node.name)</tspan>")) }
        #expect(svg.contains("<title id=\"title\">\(graph.name)\n"))
        // The size is the viewBox's, and every box lies within it.
        let header = try #require(svg.split(separator: "\n").first.map(String.init))
        let width = try #require(Self.attribute("width", in: header))
        let height = try #require(Self.attribute("height", in: header))
        #expect(header.contains("viewBox=\"0 0 \(width) \(height)\""))
        let renderer = SVGRenderer(ModelPicture(graph))
        let origin = try #require(Self.translation(in: svg))
        #expect(
            origin.x + renderer.layout.width <= Double(width)! && origin.y + renderer.layout.height <= Double(height)!)
    }

    /// Every box is wide enough for both lines at the estimated width, with its padding.
    @Test(arguments: Examples.names)
    func textFitsItsBox(name: String) throws {
        let renderer = SVGRenderer(ModelPicture(try Examples.graph(name)))
        for (box, place) in zip(renderer.picture.boxes, renderer.layout.boxes) {
            let text = max(
                TextMetrics.width(box.heading, fontSize: SVGRenderer.fontSize),
                TextMetrics.width(box.detail, fontSize: SVGRenderer.fontSize))
            let padding = box.family == .merge ? place.height / 2 : SVGRenderer.boxPadding
            #expect(text + 2 * padding <= place.width, "\(box.heading) does not fit")
        }
    }

    @Test func svgEscapesTheDescriptionAndMarksMerges() throws {
        let svg = ModelPicture(try graph(Self.residual)).rendered(as: .svg)
        #expect(Self.isWellFormedXML(svg))
        #expect(svg.contains("weights &amp; biases &lt;for&gt; &quot;fun&quot;"))
        #expect(!svg.contains("<for>"))
        #expect(svg.contains("<rect class=\"merge\""))
        #expect(svg.contains(".merge{stroke-width:2.6}"))
        #expect(svg.contains(".dropout{stroke-dasharray"))
        #expect(occurrences(of: "<rect ", in: svg) == 8)
    }

    @Test func dotHasANodePerBoxAndAnEdgePerInput() throws {
        let graph = try graph(Self.residual)
        let dot = ModelPicture(graph).rendered(as: .dot)
        let lines = dot.split(separator: "\n").map(String.init)
        #expect(lines.first == "digraph \"Tricky\" {")
        #expect(lines.last == "}")
        #expect(lines.filter { $0.range(of: #"^    n\d+ \[label="#, options: .regularExpression) != nil }.count == 8)
        #expect(lines.filter { $0.range(of: #"^    n\d+ -> n\d+;$"#, options: .regularExpression) != nil }.count == 8)
        #expect(dot.contains("n3 [label=\"end · add\\n[8, 8, 4] · 0 params\""))
        #expect(dot.contains("n1 -> n3;") && dot.contains("n2 -> n3;"))
        #expect(dot.contains("penwidth=2.5"))
        #expect(dot.contains("weights & biases <for> \\\"fun\\\" \\\\N\\nsecond line"))
        // Every line has its quotes in pairs once escaped quotes are set aside.
        for line in lines {
            #expect(occurrences(of: "\"", in: line.replacingOccurrences(of: "\\\"", with: "")) % 2 == 0)
        }
    }

    @Test func mermaidIsAFlowchartWithAClassPerFamily() throws {
        let graph = try graph(Self.residual)
        let mermaid = ModelPicture(graph).rendered(as: .mermaid)
        let lines = mermaid.split(separator: "\n").map(String.init)
        #expect(lines.first == "flowchart TD")
        #expect(lines.filter { $0.range(of: #"^    n\d+[\[(]"#, options: .regularExpression) != nil }.count == 8)
        #expect(lines.filter { $0.range(of: #"^    n\d+ --> n\d+$"#, options: .regularExpression) != nil }.count == 8)
        #expect(lines.contains("    n3([\"end · add<br/>[8, 8, 4] · 0 params\"])"))
        #expect(lines.contains("    n0(\"input · input<br/>[8, 8, 3]\")"))
        // The description's line break stays inside a comment.
        #expect(lines.filter { $0.contains("second line") }.allSatisfy { $0.hasPrefix("    %% ") })
        let classed = lines.filter { $0.hasPrefix("    class ") }.flatMap {
            $0.split(separator: " ")[1].split(separator: ",").map(String.init)
        }
        #expect(classed.sorted() == (0..<8).map { "n\($0)" }.sorted())
        #expect(lines.contains { $0.hasPrefix("    classDef merge ") && $0.contains("stroke-width:2.5px") })
    }

    @Test(arguments: PictureFormat.allCases)
    func renderingIsDeterministic(format: PictureFormat) throws {
        let graph = try Examples.graph("efficientnet_b0.yaml")
        #expect(ModelPicture(graph).rendered(as: format) == ModelPicture(graph).rendered(as: format))
    }

    static func attribute(_ name: String, in tag: String) -> String? {
        guard let range = tag.range(of: " \(name)=\"") else { return nil }
        return String(tag[range.upperBound...].prefix { $0 != "\"" })
    }

    static func translation(in svg: String) -> (x: Double, y: Double)? {
        guard let range = svg.range(of: "<g transform=\"translate(") else { return nil }
        let numbers = svg[range.upperBound...].prefix { $0 != ")" }.split(separator: " ").compactMap { Double($0) }
        return numbers.count == 2 ? (numbers[0], numbers[1]) : nil
    }
}
