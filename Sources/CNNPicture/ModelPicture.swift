import CNNGraph

/// The formats `cnnc graph` draws a model in.
public enum PictureFormat: String, CaseIterable, Sendable {
    /// A standalone SVG file, laid out and drawn by cnnc (`LayeredLayout`, `SVGRenderer`).
    case svg
    /// Graphviz DOT text, for `dot -Tsvg`.
    case dot
    /// A Mermaid `flowchart TD`, which GitHub renders in Markdown.
    case mermaid
}

/// What a picture of a model shows, whatever its format: a box for the input and one per layer,
/// each with two lines of text, and a title with the model's totals. The renderers draw these
/// labels as they are, so the three formats say the same thing.
public struct ModelPicture: Sendable {
    /// One box: the input (box 0) or a layer (box i + 1 draws layer i).
    public struct Box: Sendable {
        /// The layer's name (`input` for the input).
        public var name: String
        /// The first line, name and type: `conv2d_1 · conv2d (relu)`.
        public var heading: String
        /// The second line, output shape and parameters: `[14, 14, 64] · 18,496 params`.
        public var detail: String
        public var family: LayerFamily
        /// The boxes this one reads, in the layer's order of inputs.
        public var inputs: [Int]
        /// Everything about the layer in a few lines, for a tooltip.
        public var tooltip: String
    }

    /// The model's name.
    public var title: String
    /// The totals: `10 layers · 5,370 params · 5,046,272 multiply-adds · [32, 32, 3] → [10]`.
    public var totals: String
    /// The spec's description, if any.
    public var description: String?
    public var boxes: [Box]

    public init(_ graph: Graph) {
        let summary = ModelSummary(graph)
        title = graph.name
        description = graph.specDescription
        let layers = graph.nodes.count == 1 ? "1 layer" : "\(graph.nodes.count) layers"
        totals = [
            layers, Self.parameters(summary.totalParameters),
            "\(ModelSummary.grouped(summary.totalMACs)) multiply-adds",
            "\(Self.shape(graph.inputShape)) → \(Self.shape(graph.outputShape))",
        ].joined(separator: " · ")
        let input = Box(
            name: "input", heading: "input · input", detail: Self.shape(graph.inputShape), family: .input, inputs: [],
            tooltip: "input\nshape \(Self.shape(graph.inputShape))")
        boxes = [input]
        for (node, row) in zip(graph.nodes, summary.rows) {
            var type = node.kind.rawValue
            if let qualifier = Self.qualifier(of: node) { type += " (\(qualifier))" }
            let inputs = node.inputs.map { value -> Int in
                switch value {
                case .input: 0
                case .node(let index): index + 1
                }
            }
            let tooltip = [
                "\(node.name) (\(node.kind.kerasName))", "inputs: \(row.inputs.joined(separator: ", "))",
                "output \(Self.shape(node.outputShape))",
                "\(Self.parameters(node.parameterCount)), \(ModelSummary.grouped(node.macs)) multiply-adds",
            ].joined(separator: "\n")
            boxes.append(
                Box(
                    name: node.name, heading: "\(node.name) · \(type)",
                    detail: "\(Self.shape(node.outputShape)) · \(Self.parameters(node.parameterCount))",
                    family: LayerFamily(node.kind), inputs: inputs, tooltip: tooltip))
        }
    }

    /// The picture in `format`.
    public func rendered(as format: PictureFormat) -> String {
        switch format {
        case .svg: SVGRenderer(self).render()
        case .dot: DOTRenderer(self).render()
        case .mermaid: MermaidRenderer(self).render()
        }
    }

    /// The families the boxes use, in the legend's order.
    public var families: [LayerFamily] {
        LayerFamily.allCases.filter { family in boxes.contains { $0.family == family } }
    }

    /// What the type alone does not say about a layer's function: a convolution's or dense
    /// layer's `activation:`, an activation layer's (`linear` included), the activation a `relu`
    /// or `leaky_relu` layer turned out to be when it has another name (`relu6`), or else its
    /// settings (`max 4, slope 0.1`).
    static func qualifier(of node: GraphNode) -> String? {
        switch node.operation {
        case .activation(let activation):
            return node.kind == .activation || activation.rawValue != node.kind.rawValue ? activation.rawValue : nil
        case .relu(let relu):
            let settings = [
                relu.maxValue.map { "max \(number($0))" },
                relu.negativeSlope == 0 ? nil : "slope \(number(relu.negativeSlope))",
                relu.threshold == 0 ? nil : "threshold \(number(relu.threshold))",
            ].compactMap { $0 }
            return settings.isEmpty ? nil : settings.joined(separator: ", ")
        default:
            return node.operation.activation?.rawValue
        }
    }

    /// `6` for 6.0, `0.1` for 0.1.
    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    /// `[14, 14, 64]`, the shape without the batch axis.
    static func shape(_ shape: TensorShape) -> String {
        "[" + shape.dimensions.map(String.init).joined(separator: ", ") + "]"
    }

    /// `18,496 params`, `1 param`.
    static func parameters(_ count: Int) -> String {
        count == 1 ? "1 param" : "\(ModelSummary.grouped(count)) params"
    }
}
