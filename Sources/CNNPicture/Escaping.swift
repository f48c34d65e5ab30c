/// Text made safe for each format's quoting. Layer names are identifiers, but a model's
/// description is free text, and any text may hold what a format treats specially.
public enum Escaping {
    /// For XML text and attribute values: the five special characters as entities, and the
    /// control characters XML 1.0 forbids (all below U+0020 but tab, line feed and carriage
    /// return, and U+FFFE, U+FFFF) replaced by U+FFFD.
    public static func xml(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: result += "\u{FFFD}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// For a double-quoted Graphviz DOT string: backslash and quote escaped (so that `\N`, `\G`
    /// and the like stay literal), a line break as DOT's centered `\n`, other control characters
    /// dropped.
    public static func dot(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: break
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// For a double-quoted Mermaid label: the characters Mermaid or its HTML labels read
    /// specially as Mermaid's entity codes (`#quot;`, `#lt;`, …, and `#` itself as `#35;`, so that
    /// text like `#lt;` stays literal), a line break as `<br/>`, other control characters dropped.
    public static func mermaid(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "#": result += "#35;"
            case "\"": result += "#quot;"
            case "&": result += "#amp;"
            case "<": result += "#lt;"
            case ">": result += "#gt;"
            case "\n": result += "<br/>"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: break
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// For a Mermaid `%%` comment line: line breaks and other control characters as spaces.
    public static func mermaidComment(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }
}
