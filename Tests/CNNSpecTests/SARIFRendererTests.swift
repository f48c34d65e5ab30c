import Foundation
import Testing

@testable import CNNSpec

/// `--format sarif` as the renderer writes it, and the text format's closing tally.
@Suite struct SARIFRendererTests {
    let rules = [
        DiagnosticRule(.missingKey, .error, "Missing key", "A required key is absent."),
        DiagnosticRule(.unknownKey, .error, "Unknown key", "A key the mapping does not take."),
    ]

    private func log(_ diagnostics: [Diagnostic], sourceRoot: String? = nil) throws -> [String: Any] {
        var renderer = DiagnosticRenderer(format: .sarif)
        renderer.tool = SARIFTool(name: "cnnc", version: "1.2.3", informationURI: "https://cnnc.invalid/", rules: rules)
        renderer.sourceRoot = sourceRoot
        let text = renderer.render(diagnostics)
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    private func results(_ log: [String: Any]) throws -> [[String: Any]] {
        let runs = try #require(log["runs"] as? [[String: Any]])
        return try #require(runs.first?["results"] as? [[String: Any]])
    }

    @Test func aResultNamesItsRuleLevelMessageNotesAndPlace() throws {
        let file = SourceFile(path: "models/my model.yaml", text: "a: 1\nb: 2\n")
        let diagnostic = Diagnostic(.error, .unknownKey, "unknown key 'b'", at: file.location(line: 2, column: 1))
            .noting("did you mean 'a'?").noting("'a' is here", at: file.location(line: 1, column: 1))
        let log = try log([diagnostic], sourceRoot: "/work/repo")
        #expect(log["version"] as? String == "2.1.0")
        #expect(log["$schema"] as? String == "https://json.schemastore.org/sarif-2.1.0.json")
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        let base = (run["originalUriBaseIds"] as? [String: [String: String]])?["%SRCROOT%"]
        #expect(base?["uri"] == "file:///work/repo/")
        let result = try #require(try results(log).first)
        #expect(result["ruleId"] as? String == "unknown-key")
        #expect(result["ruleIndex"] as? Int == 1)
        #expect(result["level"] as? String == "error")
        #expect(
            (result["message"] as? [String: String])?["text"]
                == "unknown key 'b'\nnote: did you mean 'a'?\nnote: 'a' is here")
        let location = try #require((result["locations"] as? [[String: [String: Any]]])?.first?["physicalLocation"])
        #expect(
            location["artifactLocation"] as? [String: String] == [
                "uri": "models/my%20model.yaml", "uriBaseId": "%SRCROOT%",
            ])
        #expect(location["region"] as? [String: Int] == ["startLine": 2, "startColumn": 1])
        let related = try #require(result["relatedLocations"] as? [[String: Any]])
        #expect(related.count == 1)
        #expect(related.first?["id"] as? Int == 1)
        #expect((related.first?["message"] as? [String: String])?["text"] == "'a' is here")
    }

    @Test func absolutePathsAreFileURIs() throws {
        let diagnostic = Diagnostic(
            .warning, .missingKey, "m", at: SourceLocation(file: "/tmp/a b/é.yaml", line: 3, column: 4))
        let result = try #require(try results(try log([diagnostic])).first)
        let location = try #require((result["locations"] as? [[String: [String: Any]]])?.first?["physicalLocation"])
        #expect(location["artifactLocation"] as? [String: String] == ["uri": "file:///tmp/a%20b/%C3%A9.yaml"])
        #expect(result["level"] as? String == "warning")
    }

    @Test func rulesAreListedAndACleanRunHasNoResults() throws {
        let log = try log([])
        #expect(try results(log).isEmpty)
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        let driver = try #require((run["tool"] as? [String: [String: Any]])?["driver"])
        #expect(driver["name"] as? String == "cnnc")
        #expect(driver["version"] as? String == "1.2.3")
        #expect(driver["informationUri"] as? String == "https://cnnc.invalid/")
        let listed = try #require(driver["rules"] as? [[String: Any]])
        #expect(listed.map { $0["id"] as? String } == ["missing-key", "unknown-key"])
        #expect((listed[0]["shortDescription"] as? [String: String])?["text"] == "Missing key")
        #expect((listed[0]["fullDescription"] as? [String: String])?["text"] == "A required key is absent.")
        #expect((listed[0]["defaultConfiguration"] as? [String: String])?["level"] == "error")
    }

    @Test func tallyCountsErrorsWarningsAndFiles() {
        let at = SourceLocation(file: "a.yaml", line: 1, column: 1)
        let error = Diagnostic(.error, .missingKey, "m", at: at)
        let warning = Diagnostic(.warning, .unknownKey, "w", at: at)
        #expect(DiagnosticRenderer.tally([], files: 3) == nil)
        #expect(DiagnosticRenderer.tally([error], files: 1) == "1 error, 0 warnings in 1 file")
        #expect(DiagnosticRenderer.tally([error, error, warning], files: 3) == "2 errors, 1 warning in 3 files")
        #expect(DiagnosticRenderer.tally([warning, warning], files: 2) == "0 errors, 2 warnings in 2 files")
    }
}
