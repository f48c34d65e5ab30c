/// Writes a `ModelPicture` as a Mermaid `flowchart TD`, which GitHub renders inside a
/// ```` ```mermaid ```` block in Markdown.
///
/// The text starts with `flowchart TD`; the model's title and totals follow as `%%` comments
/// (Mermaid has no title for a flowchart that renders everywhere). Nodes are `n0` (the input),
/// `n1`, … in layer order, since layer names such as `end` are Mermaid keywords; each label is
/// the box's two lines joined by `<br/>`, escaped with Mermaid's entity codes. Merges are
/// stadium-shaped, the input rounded, and each family is a class with the SVG's colors.
struct MermaidRenderer {
    let picture: ModelPicture

    init(_ picture: ModelPicture) {
        self.picture = picture
    }

    func render() -> String {
        var lines = ["flowchart TD"]
        for line in [picture.title, picture.totals] + (picture.description.map { [$0] } ?? []) {
            lines.append("    %% " + Escaping.mermaidComment(line))
        }
        for (index, box) in picture.boxes.enumerated() {
            let label = "\"" + Escaping.mermaid(box.heading) + "<br/>" + Escaping.mermaid(box.detail) + "\""
            let shaped =
                switch box.family {
                case .input: "(\(label))"
                case .merge: "([\(label)])"
                case .convolution, .pooling, .normalization, .activation, .dense, .reshaping, .dropout: "[\(label)]"
                }
            lines.append("    n\(index)\(shaped)")
        }
        for (index, box) in picture.boxes.enumerated() {
            for input in box.inputs { lines.append("    n\(input) --> n\(index)") }
        }
        for family in picture.families {
            let dash = family == .dropout ? ",stroke-dasharray:4 3" : ""
            let width = family == .merge ? "2.5px" : "1px"
            lines.append(
                "    classDef \(family.rawValue) fill:\(family.fill),stroke:\(family.stroke),"
                    + "stroke-width:\(width),color:#111827\(dash)")
            let members = picture.boxes.indices.filter { picture.boxes[$0].family == family }.map { "n\($0)" }
            lines.append("    class \(members.joined(separator: ",")) \(family.rawValue)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
