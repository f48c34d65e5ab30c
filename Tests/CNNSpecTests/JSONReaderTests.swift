import Foundation
import TestSupport
import Testing

@testable import CNNSpec

/// `.json` specs are strict RFC 8259 JSON: what YAML would take and JSON does not is a
/// `parse-error` at its exact position.
@Suite struct JSONReaderTests {
    private func read(_ text: String, path: String = "spec.json") -> (root: SpecValue?, diagnostics: [Diagnostic]) {
        JSONReader.read(SourceFile(path: path, text: text))
    }

    private func position(_ location: CNNSpec.SourceLocation?) -> String {
        location.map { "\($0.line):\($0.column)" } ?? "none"
    }

    private func position(_ marked: Marked, _ marker: Character) -> String {
        marked.locations[marker].map { "\($0.line):\($0.column)" } ?? "none"
    }

    /// One case per kind of bad JSON: the snippet, with 1️⃣ where the error is, and its message.
    static let errors: [(snippet: String, message: String)] = [
        (#"{"a": [1, 21️⃣,]}"#, "trailing comma before ']'"),
        (#"{"a": 11️⃣, }"#, "trailing comma before '}'"),
        (#"{"a": 1️⃣'x'}"#, "strings in JSON use double quotes"),
        (#"{1️⃣'a': 1}"#, "strings in JSON use double quotes"),
        ("{\"a\": 1 1️⃣# note\n}", "JSON has no comments"),
        ("{\"a\":\n  1️⃣// note\n  1}", "JSON has no comments"),
        (#"{"a": 1} 1️⃣/* note */"#, "JSON has no comments"),
        (#"{1️⃣input: 1}"#, "object keys must be double-quoted strings"),
        (#"{"a": 1️⃣relu}"#, "unexpected 'relu': JSON strings must be quoted"),
        (#"{"a": 1️⃣NaN}"#, "NaN is not JSON"),
        (#"{"a": 1️⃣-Infinity}"#, "-Infinity is not JSON"),
        (#"{"a": 1️⃣True}"#, "unexpected 'True': JSON's literals are true, false and null"),
        (#"{"a": 1️⃣012}"#, "leading zeros are not allowed: '012'"),
        (#"{"a": 1️⃣+1}"#, "'+' is not allowed before a JSON number"),
        (#"{"a": 1️⃣0x1F}"#, "'0x1F' is not a JSON number"),
        (#"{"a": 1️⃣.5}"#, "'.5' is not a JSON number"),
        (#"{"a": 1.1️⃣}"#, "expected a digit after '.' in a number"),
        (#"{"a": 1e1️⃣}"#, "expected a digit after 'e' in a number"),
        (#"{"a": -1️⃣x}"#, "expected a digit after '-' in a number"),
        (#"{"a": 1️⃣"abc"#, "unterminated string"),
        ("{\"a\": \"abc1️⃣\n\"}", "line break inside a string"),
        (#"{"a": "x1️⃣\q"}"#, "invalid escape: '\\' followed by 'q'"),
        ("{\"a\": \"x1️⃣\u{7}\"}", "raw control character U+0007 in a string"),
        (#"{"a": "1️⃣\u12G4"}"#, "'\\u' must be followed by four hexadecimal digits"),
        (#"{"a": "1️⃣\uD800x"}"#, "'\\uD800' is half of a UTF-16 surrogate pair without the other half"),
        (#"{"a": "\uD83D\uDE00 1️⃣\uDC00"}"#, "'\\uDC00' is half of a UTF-16 surrogate pair without the other half"),
        (#"{"a" 1️⃣1}"#, "expected ':' after the key \"a\", found '1'"),
        (#"{"a": 1 1️⃣"b": 2}"#, "expected ',' or '}' after an object member, found '\"'"),
        (#"[1 1️⃣2]"#, "expected ',' or ']' after a list element, found '2'"),
        (#"[1, 1️⃣, 2]"#, "expected a value, found ','"),
        (#"{"a": 1} 1️⃣{"b": 2}"#, "unexpected text after the JSON value"),
        (#"[1, 21️⃣"#, "expected ',' or ']' after a list element, found the end of the file"),
    ]

    @Test(arguments: errors)
    func errorIsReportedWhereItIs(snippet: String, message: String) {
        let marked = Marked(snippet)
        let (root, diagnostics) = read(marked.text)
        #expect(root == nil)
        #expect(diagnostics.map(\.code) == [.parseError])
        #expect(diagnostics.first?.message == "JSON syntax error: \(message)")
        #expect(position(diagnostics.first?.location) == position(marked, "1️⃣"))
    }

    @Test func everyDuplicateKeyIsReportedWithItsFirstOccurrence() {
        let marked = Marked(
            """
            {1️⃣"input": {"shape": [4]}, 2️⃣"input": 1,
             "layers": [{3️⃣"type": "dense", "units": 2, 4️⃣"type": "x"}],
             5️⃣"input": 2}
            """)
        let (root, diagnostics) = read(marked.text)
        #expect(root == nil)
        #expect(diagnostics.map(\.code) == [.duplicateKey, .duplicateKey, .duplicateKey])
        #expect(diagnostics.map { position($0.location) } == ["2️⃣", "4️⃣", "5️⃣"].map { position(marked, $0) })
        #expect(diagnostics.map { position($0.notes.first?.location) } == ["1️⃣", "3️⃣", "1️⃣"].map { position(marked, $0) })
        #expect(diagnostics.first?.message == "duplicate key 'input' in a mapping")
    }

    @Test func duplicatesAndTheSyntaxErrorAfterThemAreAllReported() {
        let (_, diagnostics) = read(#"{"a": 1, "a": 2, "b": [1,]}"#)
        #expect(diagnostics.map(\.code) == [.duplicateKey, .parseError])
    }

    @Test func valuesKeepTheirKindsAndEscapes() throws {
        let text = #"{"i": -12, "big": 99999999999999999999, "f": 1.5e3, "z": -0, "s": "a\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00", "t": true, "n": null}"#
        let (root, diagnostics) = read(text)
        #expect(diagnostics.isEmpty)
        guard case .mapping(let pairs) = try #require(root).kind else { Issue.record("not a mapping"); return }
        #expect(pairs.map(\.value.kindDescription) == [
            "integer -12", "integer 99999999999999999999", "number 1500", "integer 0",
            "string 'a\"\\/\u{8}\u{C}\n\r\té😀'", "boolean true", "null",
        ])
        if case .integerOverflow(let digits) = pairs[1].value.kind { #expect(digits == "99999999999999999999") } else { Issue.record("not an overflow") }
    }

    @Test func emptyTextHasNoRootAndNoDiagnostic() {
        let (root, diagnostics) = read(" \n\t ")
        #expect(root == nil)
        #expect(diagnostics.isEmpty)
    }
}
