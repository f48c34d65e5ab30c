/// Accumulates generated source a line at a time, indenting nested blocks by four spaces, so no
/// emitter pads indentation by hand (after swift-protobuf's `CodePrinter`).
struct CodeWriter {
    private(set) var text = ""
    private var indentation = 0

    /// Appends a line at the current indentation; an empty line stays empty.
    mutating func line(_ line: String = "") {
        if !line.isEmpty { text += String(repeating: " ", count: 4 * indentation) + line }
        text += "\n"
    }

    /// Appends several lines, each at the current indentation.
    mutating func lines(_ block: String) {
        for line in block.split(separator: "\n", omittingEmptySubsequences: false) { self.line(String(line)) }
    }

    /// `header {`, the body one level deeper, then `}`.
    mutating func block(_ header: String, _ body: (inout CodeWriter) -> Void) {
        line(header + " {")
        indented(body)
        line("}")
    }

    mutating func indented(_ body: (inout CodeWriter) -> Void) {
        indentation += 1
        body(&self)
        indentation -= 1
    }
}
