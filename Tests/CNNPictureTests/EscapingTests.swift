import Testing

@testable import CNNPicture

/// Each format's escaping, and the text metrics boxes are sized by.
@Suite struct EscapingTests {
    @Test func xmlEscapesTheFiveSpecialCharactersAndForbiddenControls() {
        #expect(Escaping.xml("a & b <c> \"d\" 'e'") == "a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;")
        #expect(Escaping.xml("&amp;") == "&amp;amp;")
        #expect(Escaping.xml("tab\there\nline") == "tab\there\nline")
        #expect(Escaping.xml("bell\u{07}nul\u{00}") == "bell\u{FFFD}nul\u{FFFD}")
        #expect(Escaping.xml("\u{FFFE}") == "\u{FFFD}")
        #expect(Escaping.xml("Größe · 大きさ") == "Größe · 大きさ")
    }

    @Test func dotEscapesQuotesBackslashesAndLineBreaks() {
        #expect(Escaping.dot("say \"hi\"") == "say \\\"hi\\\"")
        #expect(Escaping.dot("C:\\N") == "C:\\\\N")
        #expect(Escaping.dot("two\nlines") == "two\\nlines")
        #expect(Escaping.dot("bell\u{07}") == "bell")
        #expect(Escaping.dot("<b>&</b>") == "<b>&</b>")
    }

    @Test func mermaidUsesEntityCodes() {
        #expect(Escaping.mermaid("a \"b\" <c> & d") == "a #quot;b#quot; #lt;c#gt; #amp; d")
        #expect(Escaping.mermaid("#lt;") == "#35;lt;")
        #expect(Escaping.mermaid("two\nlines") == "two<br/>lines")
        #expect(Escaping.mermaid("end --> x") == "end --#gt; x")
        #expect(Escaping.mermaidComment("one\ntwo\r\tthree") == "one two  three")
    }

    @Test func columnsCountWideCharactersTwiceAndMarksNotAtAll() {
        #expect(TextMetrics.columns("conv2d_1 · conv2d") == 17)
        #expect(TextMetrics.columns("大きさ") == 6)
        #expect(TextMetrics.columns("e\u{301}") == 1)
        #expect(TextMetrics.width("abcde", fontSize: 10) == 30)
    }

    @Test func wrapBreaksAtSpacesAndCutsLongWords() {
        #expect(TextMetrics.wrap("one two three four", width: 9, maxLines: 5) == ["one two", "three", "four"])
        #expect(TextMetrics.wrap("abcdefghij", width: 4, maxLines: 5) == ["abcd", "efgh", "ij"])
        #expect(TextMetrics.wrap("a  b\n\nc", width: 80, maxLines: 5) == ["a b c"])
        #expect(TextMetrics.wrap("", width: 80, maxLines: 5) == [])
        #expect(TextMetrics.wrap("aa bb cc dd", width: 5, maxLines: 1) == ["aa b…"])
        #expect(TextMetrics.wrap("aa bb cc dd ee", width: 5, maxLines: 2) == ["aa bb", "cc d…"])
    }
}
