import CNNGraph
import CNNSpec
import Foundation
import Testing

/// `cnnc check --format sarif` and the text format's tally; `Tests/Schemas/check_sarif.py` (CI)
/// validates the logs against the official SARIF 2.1.0 schema.
@Suite struct SARIFOutputTests {
    private func log(_ arguments: [String]) throws -> (status: Int32, driver: [String: Any], results: [[String: Any]]) {
        let run = try Run(["check", "--format", "sarif"] + arguments)
        let log = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(log["version"] as? String == "2.1.0")
        let runs = try #require(log["runs"] as? [[String: Any]])
        #expect(runs.count == 1)
        let driver = try #require((runs[0]["tool"] as? [String: [String: Any]])?["driver"])
        return (run.status, driver, try #require(runs[0]["results"] as? [[String: Any]]))
    }

    @Test func oneLogForAllFilesWithARulePerCode() throws {
        let (status, driver, results) = try log([
            "specs/invalid/kernel_too_large.yaml", "specs/mnist.yaml", "specs/warnings/lints.yaml",
        ])
        #expect(status == 1)
        #expect(driver["name"] as? String == "cnnc")
        let rules = try #require(driver["rules"] as? [[String: Any]])
        #expect(rules.compactMap { $0["id"] as? String } == DiagnosticRule.all.map(\.code.rawValue))
        #expect(
            results.map { $0["ruleId"] as? String } == [
                "kernel-too-large", "softmax-not-last", "redundant-activation", "unused-output", "dropout-last",
            ])
        #expect(results.map { $0["level"] as? String } == ["error", "warning", "warning", "warning", "warning"])
        for result in results {
            let index = try #require(result["ruleIndex"] as? Int)
            #expect(rules[index]["id"] as? String == result["ruleId"] as? String)
        }
        let first = try #require((results[0]["locations"] as? [[String: [String: Any]]])?.first?["physicalLocation"])
        #expect(
            first["artifactLocation"] as? [String: String] == [
                "uri": "specs/invalid/kernel_too_large.yaml", "uriBaseId": "%SRCROOT%",
            ])
        #expect(first["region"] as? [String: Int] == ["startLine": 9, "startColumn": 45])
        let message = (results[0]["message"] as? [String: String])?["text"]
        #expect(
            message
                == "kernel 5x5 is larger than the 2x2 input of conv2d_1 (valid padding)\nnote: shapes: input 12x12x1 → conv2d 10x10x8 → max_pool2d 5x5x8 → max_pool2d_1 2x2x8"
        )
    }

    @Test func aCleanRunHasAnEmptyResultsArray() throws {
        let (status, driver, results) = try log(["specs/mnist.yaml", "specs/lenet5.yaml"])
        #expect(status == 0)
        #expect(results.isEmpty)
        #expect((driver["rules"] as? [Any])?.count == DiagnosticRule.all.count)
    }

    @Test func textEndsWithATallyOnStandardError() throws {
        let run = try Run([
            "check", "--color", "never", "specs/invalid/kernel_too_large.yaml", "specs/mnist.yaml",
            "specs/warnings/lints.yaml",
        ])
        #expect(run.status == 1)
        #expect(run.stderr == "1 error, 4 warnings in 3 files\n")
        #expect(!run.stdout.contains(" in 3 files"))
        let clean = try Run(["check", "specs/mnist.yaml"])
        #expect(clean.stdout.isEmpty && clean.stderr.isEmpty)
        let json = try Run(["check", "--format", "json", "specs/invalid/kernel_too_large.yaml"])
        #expect(json.stderr.isEmpty)
    }
}
