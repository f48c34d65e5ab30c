/// Writes a `ModelPicture` as Graphviz DOT, for those who render with Graphviz (`dot -Tsvg`).
///
/// Nodes are `n0` (the input), `n1`, … in layer order, so no layer name can clash with a DOT
/// keyword or with another node; each label is the box's two lines, its tooltip the box's. The
/// family colors are the SVG's, merges have rounded corners and a thick border, and the graph's
/// label is the model's title and totals.
struct DOTRenderer {
    let picture: ModelPicture

    init(_ picture: ModelPicture) {
        self.picture = picture
    }

    func render() -> String {
        let title = ([picture.title, picture.totals] + (picture.description.map { [$0] } ?? [])).joined(separator: "\n")
        var lines = [
            "digraph \"\(Escaping.dot(picture.title))\" {",
            "    graph [label=\"\(Escaping.dot(title))\", labelloc=t, fontname=\"monospace\", fontsize=14, "
                + "rankdir=TB, nodesep=0.3, ranksep=0.35, bgcolor=\"#ffffff\"];",
            "    node [shape=box, style=\"filled\", fontname=\"monospace\", fontsize=11, fontcolor=\"#111827\", "
                + "margin=\"0.15,0.06\"];",
            "    edge [color=\"#4b5563\", arrowsize=0.7];",
        ]
        for (index, box) in picture.boxes.enumerated() {
            let merge = box.family == .merge ? ", style=\"rounded,filled\", penwidth=2.5" : ""
            let dashed = box.family == .dropout ? ", style=\"dashed,filled\"" : ""
            lines.append(
                "    n\(index) [label=\"\(Escaping.dot(box.heading + "\n" + box.detail))\", "
                    + "tooltip=\"\(Escaping.dot(box.tooltip))\", fillcolor=\"\(box.family.fill)\", "
                    + "color=\"\(box.family.stroke)\"\(merge)\(dashed)];")
        }
        for (index, box) in picture.boxes.enumerated() {
            for input in box.inputs { lines.append("    n\(input) -> n\(index);") }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}
