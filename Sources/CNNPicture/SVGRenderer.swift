/// Draws a `ModelPicture` as a standalone SVG file: a title with the model's totals, a legend of
/// the layer families it uses, then the layered layout, arrows first so that boxes sit on top.
///
/// Each box is a `<rect>` (the only rects in the file, one per layer and one for the input, so
/// tools can count them) with two centered lines of monospace text, its tooltip in a `<title>`;
/// merge layers are pill-shaped with a thick border. The background is painted white, so the
/// picture reads the same on a dark page.
struct SVGRenderer {
    /// Sizes, in pixels.
    static let fontSize = 12.0
    static let titleSize = 18.0
    static let boxHeight = 42.0
    static let boxPadding = 10.0
    static let minimumBoxWidth = 96.0
    static let margin = 20.0
    static let legendSwatch = 12.0
    static let fontFamily = "'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', monospace"
    static let edgeColor = "#4b5563"

    let picture: ModelPicture
    let layout: LayeredLayout

    init(_ picture: ModelPicture) {
        self.picture = picture
        let sizes = picture.boxes.map { box in
            let text = max(
                TextMetrics.width(box.heading, fontSize: Self.fontSize),
                TextMetrics.width(box.detail, fontSize: Self.fontSize))
            // A merge's round ends take a box height's worth of its width.
            let padding = box.family == .merge ? Self.boxHeight / 2 : Self.boxPadding
            return (width: max(Self.minimumBoxWidth, (text + 2 * padding).rounded(.up)), height: Self.boxHeight)
        }
        layout = LayeredLayout(sizes: sizes, inputs: picture.boxes.map(\.inputs))
    }

    /// One line of header text: where its baseline is, its size and weight.
    private struct HeaderLine {
        var text: String
        var size: Double
        var bold = false
        var color = "#111827"
        var baseline = 0.0
    }

    func render() -> String {
        let wrapColumns = max(80, Int(layout.width / (TextMetrics.columnWidth * Self.fontSize)))
        var header = [
            HeaderLine(text: picture.title, size: Self.titleSize, bold: true),
            HeaderLine(text: picture.totals, size: Self.fontSize),
        ]
        for line in TextMetrics.wrap(picture.description ?? "", width: wrapColumns, maxLines: 4) {
            header.append(HeaderLine(text: line, size: Self.fontSize, color: "#4b5563"))
        }
        var y = Self.margin
        for index in header.indices {
            y += index == 0 ? Self.titleSize : Self.fontSize + 8
            header[index].baseline = y
        }
        let headerWidth = header.map { TextMetrics.width($0.text, fontSize: $0.size) }.max() ?? 0
        let legendWidth = max(layout.width, headerWidth, 480)
        let legend = legendEntries(maxWidth: legendWidth, top: y + 14)
        y = (legend.map(\.y).max() ?? y) + Self.legendSwatch + 24
        let contentWidth = max(layout.width, headerWidth, legend.map { $0.x + $0.width }.max() ?? 0)
        let width = (contentWidth + 2 * Self.margin).rounded(.up)
        let height = (y + layout.height + Self.margin).rounded(.up)
        let origin = LayeredLayout.Point(x: Self.margin + (contentWidth - layout.width) / 2, y: y)

        var out: [String] = []
        out.append(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" "
                + "viewBox=\"0 0 \(n(width)) \(n(height))\" role=\"img\" aria-labelledby=\"title\" "
                + "font-family=\"\(Self.fontFamily)\" font-size=\"\(n(Self.fontSize))\">")
        let summary = [picture.title, picture.totals] + (picture.description.map { [$0] } ?? [])
        out.append("<title id=\"title\">\(Escaping.xml(summary.joined(separator: "\n")))</title>")
        out.append(style())
        out.append(
            "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" "
                + "markerHeight=\"8\" markerUnits=\"userSpaceOnUse\" orient=\"auto\">"
                + "<path d=\"M0 0L10 5L0 10z\" fill=\"\(Self.edgeColor)\"/></marker></defs>")
        out.append("<path d=\"M0 0H\(n(width))V\(n(height))H0z\" fill=\"#ffffff\"/>")
        for line in header {
            out.append(
                text(
                    line.text, x: Self.margin, y: line.baseline, size: line.size, anchor: nil,
                    attributes: (line.bold ? " font-weight=\"bold\"" : "") + " fill=\"\(line.color)\""))
        }
        for entry in legend { out.append(contentsOf: entry.svg) }
        out.append("<g transform=\"translate(\(n(origin.x)) \(n(origin.y)))\">")
        out.append("<g class=\"edges\">")
        for route in layout.routes {
            out.append("<path class=\"e\" d=\"\(Self.path(route.points))\" marker-end=\"url(#arrow)\"/>")
        }
        out.append("</g>")
        for (box, place) in zip(picture.boxes, layout.boxes) { out.append(contentsOf: self.box(box, at: place)) }
        out.append("</g>")
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    /// The shared look: one class per family, edges, box borders.
    private func style() -> String {
        var rules = [
            "text{fill:#111827}", ".e{fill:none;stroke:\(Self.edgeColor);stroke-width:1.3}",
            "rect,.s{stroke-width:1.3}", ".merge{stroke-width:2.6}", ".dropout{stroke-dasharray:4 3}",
        ]
        for family in LayerFamily.allCases where picture.families.contains(family) {
            rules.append(".\(family.rawValue){fill:\(family.fill);stroke:\(family.stroke)}")
        }
        return "<style>" + rules.joined() + "</style>"
    }

    /// A box: its rectangle and two lines of text, with its tooltip.
    private func box(_ box: ModelPicture.Box, at place: LayeredLayout.Box) -> [String] {
        let radius = box.family == .merge ? place.height / 2 : 4
        let (name, rest) = Self.split(box.heading, after: box.name)
        return [
            "<g><title>\(Escaping.xml(box.tooltip))</title>",
            "<rect class=\"\(box.family.rawValue)\" x=\"\(n(place.left))\" y=\"\(n(place.top))\" "
                + "width=\"\(n(place.width))\" height=\"\(n(place.height))\" rx=\"\(n(radius))\"/>",
            "<text x=\"\(n(place.centerX))\" y=\"\(n(place.top + 18))\" text-anchor=\"middle\" "
                + "textLength=\"\(n(TextMetrics.width(box.heading, fontSize: Self.fontSize)))\" "
                + "lengthAdjust=\"spacingAndGlyphs\"><tspan font-weight=\"bold\">\(Escaping.xml(name))</tspan>"
                + "\(Escaping.xml(rest))</text>",
            text(box.detail, x: place.centerX, y: place.top + 34, size: Self.fontSize, anchor: "middle") + "</g>",
        ]
    }

    /// A line of text whose length is pinned to the estimate (see `TextMetrics`).
    private func text(_ text: String, x: Double, y: Double, size: Double, anchor: String?, attributes: String = "")
        -> String
    {
        let anchor = anchor.map { " text-anchor=\"\($0)\"" } ?? ""
        let sized = size == Self.fontSize ? "" : " font-size=\"\(n(size))\""
        return "<text x=\"\(n(x))\" y=\"\(n(y))\"\(anchor)\(sized)\(attributes) "
            + "textLength=\"\(n(TextMetrics.width(text, fontSize: size)))\" lengthAdjust=\"spacingAndGlyphs\">"
            + "\(Escaping.xml(text))</text>"
    }

    /// A legend entry: a swatch of the family's colors (round for merges, as their boxes are) and its name.
    private struct LegendEntry {
        var x: Double
        var y: Double
        var width: Double
        var svg: [String]
    }

    /// The families in use, flowing left to right in rows no wider than `maxWidth`.
    private func legendEntries(maxWidth: Double, top: Double) -> [LegendEntry] {
        var entries: [LegendEntry] = []
        var x = 0.0
        var y = top
        let swatch = Self.legendSwatch
        for family in picture.families {
            let width = swatch + 6 + TextMetrics.width(family.title, fontSize: Self.fontSize)
            if x > 0 && x + width > maxWidth {
                x = 0
                y += swatch + 10
            }
            let left = Self.margin + x
            let shape =
                family == .merge
                ? "<circle class=\"merge s\" cx=\"\(n(left + swatch / 2))\" cy=\"\(n(y + swatch / 2))\" r=\"\(n(swatch / 2 - 1))\"/>"
                : "<path class=\"\(family.rawValue) s\" d=\"M\(n(left)) \(n(y))h\(n(swatch))v\(n(swatch))h-\(n(swatch))z\"/>"
            let label = text(family.title, x: left + swatch + 6, y: y + swatch - 1.5, size: Self.fontSize, anchor: nil)
            entries.append(LegendEntry(x: x, y: y, width: width, svg: [shape, label]))
            x += width + 20
        }
        return entries
    }

    /// An edge's path: straight down along a passed layer, an S-curve with vertical ends between layers.
    static func path(_ points: [LayeredLayout.Point]) -> String {
        guard let first = points.first else { return "" }
        var d = "M\(n(first.x)) \(n(first.y))"
        for (index, (from, to)) in zip(points, points.dropFirst()).enumerated() {
            if from.x == to.x {
                // One stretch for a run of points straight below one another.
                let next = index + 2 < points.count ? points[index + 2] : nil
                if next?.x != to.x { d += "V\(n(to.y))" }
            } else {
                let middle = (from.y + to.y) / 2
                d += "C\(n(from.x)) \(n(middle)) \(n(to.x)) \(n(middle)) \(n(to.x)) \(n(to.y))"
            }
        }
        return d
    }

    /// The name part of a heading and the rest (`conv2d_1`, ` · conv2d`).
    private static func split(_ heading: String, after name: String) -> (String, String) {
        heading.hasPrefix(name) ? (name, String(heading.dropFirst(name.count))) : ("", heading)
    }
}

/// A coordinate to one decimal, without a trailing `.0`.
private func n(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    let sign = tenths < 0 ? "-" : ""
    let magnitude = tenths.magnitude
    return magnitude % 10 == 0 ? "\(sign)\(magnitude / 10)" : "\(sign)\(magnitude / 10).\(magnitude % 10)"
}
