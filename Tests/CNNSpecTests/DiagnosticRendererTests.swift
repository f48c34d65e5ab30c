import Testing

@testable import CNNSpec

/// The text format's snippet: the source line, cut to a window around the column when it is long,
/// and a caret under the column.
@Suite struct DiagnosticRendererTests {
    /// The snippet's source line and caret line for an error at `column` of a one-line file.
    private func snippet(_ line: String, column: Int) -> (source: String, caret: String) {
        let file = SourceFile(path: "s.json", text: line + "\n")
        var renderer = DiagnosticRenderer(format: .text)
        renderer.add(file)
        let diagnostic = Diagnostic(.error, .parseError, "bad", at: file.location(line: 1, column: column))
        let lines = renderer.render([diagnostic]).split(separator: "\n", omittingEmptySubsequences: false)
        return (String(lines[1]), String(lines[2]))
    }

    /// The character of `source` that the caret stands under.
    private func underCaret(_ snippet: (source: String, caret: String)) -> Character? {
        let offset = snippet.caret.unicodeScalars.count - 1
        let scalars = Array(snippet.source.unicodeScalars)
        return offset < scalars.count ? Character(scalars[offset]) : nil
    }

    @Test func shortLinesAreShownWhole() {
        let shown = snippet(#"{"a": 1,}"#, column: 8)
        #expect(shown.source == #"{"a": 1,}"#)
        #expect(shown.caret == "       ^")
    }

    @Test func longLinesAreCutToAWindowAroundTheColumn() {
        let line = String(repeating: "a", count: 5_999) + "X" + String(repeating: "b", count: 1_000)
        let shown = snippet(line, column: 6_000)
        #expect(shown.source.hasPrefix("…a") && shown.source.hasSuffix("b…"))
        #expect(shown.source.unicodeScalars.count == DiagnosticRenderer.snippetWidth + 2)
        #expect(shown.caret.count <= DiagnosticRenderer.snippetWidth + 2)
        #expect(underCaret(shown) == "X")
    }

    @Test func windowsAtEitherEndAreCutOnOneSide() {
        let line = "X" + String(repeating: "a", count: 300) + "Y"
        let start = snippet(line, column: 1)
        #expect(!start.source.hasPrefix("…") && start.source.hasSuffix("…"))
        #expect(underCaret(start) == "X")
        let end = snippet(line, column: 302)
        #expect(end.source.hasPrefix("…") && !end.source.hasSuffix("…"))
        #expect(underCaret(end) == "Y")
        let past = snippet(line, column: 303)
        #expect(past.caret.unicodeScalars.count == DiagnosticRenderer.snippetWidth + 2)
    }

    @Test func tabsInTheWindowAreKeptUnderTheCaret() {
        let line = String(repeating: "a", count: 200) + "\t\tX" + String(repeating: "b", count: 200)
        let shown = snippet(line, column: 203)
        #expect(shown.caret.hasSuffix("\t\t^"))
        #expect(underCaret(shown) == "X")
    }
}
