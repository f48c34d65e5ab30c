/// Widths of text in the monospace font the SVG asks for, estimated from character counts.
///
/// Every common monospace font advances 0.6 em per character (DejaVu Sans Mono and Menlo 0.602,
/// Liberation Mono and Courier New 0.600; Consolas is narrower at 0.55). A box is sized from this
/// estimate, and the SVG also gives each text its estimated length (`textLength`), so a browser
/// whose font differs stretches or squeezes the text to the same width instead of letting it
/// leave its box.
enum TextMetrics {
    /// The advance of one column, in ems.
    static let columnWidth = 0.6

    /// The columns `text` takes: two for East Asian wide characters and emoji, none for combining
    /// marks and other zero-width characters, one for the rest.
    static func columns(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + columns(of: $1) }
    }

    /// The width of `text` at `fontSize`.
    static func width(_ text: String, fontSize: Double) -> Double {
        Double(columns(text)) * columnWidth * fontSize
    }

    private static func columns(of scalar: Unicode.Scalar) -> Int {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control: return 0
        default: break
        }
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
            0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }

    /// `text` broken at spaces into lines of at most `width` columns (a longer word is cut), at
    /// most `maxLines` of them, the last ending in an ellipsis when text was left out. Line breaks
    /// and runs of white space count as one space.
    static func wrap(_ text: String, width: Int, maxLines: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(whereSeparator: \.isWhitespace).map(String.init) {
            var word = word
            while columns(word) > width {
                if !line.isEmpty {
                    lines.append(line)
                    line = ""
                }
                var head = ""
                for character in word {
                    guard columns(head + String(character)) <= width else { break }
                    head.append(character)
                }
                if head.isEmpty { head = String(word.first!) }
                lines.append(head)
                word.removeFirst(head.count)
            }
            if line.isEmpty {
                line = word
            } else if columns(line) + 1 + columns(word) <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = word
            }
        }
        if !line.isEmpty { lines.append(line) }
        guard lines.count > maxLines else { return lines }
        var kept = Array(lines.prefix(maxLines))
        var last = kept[maxLines - 1]
        while !last.isEmpty && columns(last) + 1 > width { last.removeLast() }
        kept[maxLines - 1] = last + "…"
        return kept
    }
}
