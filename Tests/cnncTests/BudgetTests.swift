import CNNGraph
import CNNSpec
import Foundation
import TestSupport
import Testing

/// Budgets: `cnnc check --max-params/--max-macs/--max-activation-bytes` and the spec's `limits:`.
@Suite struct BudgetTests {
    /// 8x8x1 → conv2d 6x6x4 (40 params, 1,296 MACs) → flatten 144 → dense 10 (1,450 params, 1,440 MACs).
    static let layers = """
        input: {shape: [8, 8, 1]}
        layers:
          - {type: conv2d, filters: 4, kernel_size: 3}
          - {type: flatten}
          - {type: dense, units: 10}

        """

    @Test func eachLimitInTheSpecIsCheckedAtItsValue() throws {
        for (key, code, total) in [
            ("max_params", "over-param-budget", "1,490 parameters"),
            ("max_macs", "over-mac-budget", "2,736 multiply-adds per sample"),
            ("max_activation_bytes", "over-activation-budget", "the largest activation takes 576 bytes per sample"),
        ] {
            let marked = Marked("limits:\n  \(key): 1️⃣100\n" + Self.layers)
            let compilation = compile(marked.text)
            #expect(compilation.graph == nil, "\(key)")
            let diagnostic = try #require(compilation.diagnostics.first)
            #expect(compilation.diagnostics.count == 1)
            #expect(diagnostic.code.rawValue == code)
            #expect(
                diagnostic.message.contains(total) && diagnostic.message.hasSuffix("over the \(key) budget of 100"),
                "\(diagnostic.message)")
            #expect(diagnostic.location.line == marked["1️⃣"].line && diagnostic.location.column == marked["1️⃣"].column)
        }
    }

    @Test func notesNameTheLargestContributorsWithTheirShareAndPlace() throws {
        let marked = Marked(
            "limits: {max_params: 100, max_macs: 100, max_activation_bytes: 100}\ninput: {shape: 1️⃣[8, 8, 1]}\nlayers:\n  - 2️⃣{type: conv2d, filters: 4, kernel_size: 3}\n  - 3️⃣{type: flatten}\n  - 4️⃣{type: dense, units: 10}\n"
        )
        let diagnostics = compile(marked.text).diagnostics
        #expect(diagnostics.map(\.code.rawValue) == ["over-param-budget", "over-mac-budget", "over-activation-budget"])
        let params = diagnostics[0].notes
        #expect(
            params.map(\.message) == [
                "'dense' (dense) has 1,450 parameters, 97.3% of the total",
                "'conv2d' (conv2d) has 40 parameters, 2.7% of the total",
            ])
        #expect(params.map { $0.location?.line } == [marked["4️⃣"].line, marked["2️⃣"].line])
        #expect(
            diagnostics[1].notes.map(\.message) == [
                "'dense' (dense) has 1,440 multiply-adds, 52.6% of the total",
                "'conv2d' (conv2d) has 1,296 multiply-adds, 47.4% of the total",
            ])
        let activations = diagnostics[2].notes
        #expect(
            activations.map(\.message) == [
                "'conv2d' (conv2d) gives 6x6x4, 576 bytes, 576.0% of the budget",
                "'flatten' (flatten) gives 144, 576 bytes, 576.0% of the budget",
                "the input gives 8x8x1, 256 bytes, 256.0% of the budget",
            ])
        #expect(activations.map { $0.location } == [marked["2️⃣"], marked["3️⃣"], marked["1️⃣"]].map { Optional($0) })
    }

    @Test func aModelWithinItsBudgetsIsClean() {
        let text = "limits: {max_params: 1490, max_macs: 2736, max_activation_bytes: 576}\n" + Self.layers
        let compilation = compile(text)
        #expect(compilation.diagnostics.isEmpty)
        #expect(compilation.graph != nil)
    }

    @Test func theCommandLineWinsLimitByLimit() throws {
        let text = "limits: {max_params: 100, max_macs: 100000}\n" + Self.layers
        let file = SourceFile(path: "spec.yaml", text: text)
        // --max-params lifts the spec's max_params; its max_macs still holds, and passes.
        #expect(Compilation(file, limits: ModelLimits(maxParams: 10_000)).diagnostics.isEmpty)
        // --max-macs lowers the spec's max_macs; its max_params still fails.
        let both = Compilation(file, limits: ModelLimits(maxMACs: 1_000)).diagnostics
        #expect(Set(both.map(\.code.rawValue)) == ["over-param-budget", "over-mac-budget"])
        let mac = try #require(both.first { $0.code.rawValue == "over-mac-budget" })
        #expect(mac.location.line == 1 && mac.location.column == 1)
        #expect(mac.message.hasSuffix("over the --max-macs budget of 1,000"))
        #expect(mac.notes.first?.message == "--max-macs 1000 overrides the spec's max_macs: 100000")
        #expect(mac.notes.first?.location?.line == 1)
    }

    @Test func limitsMustBePositiveIntegersOfKnownBudgets() {
        let codes = { (limits: String) in compile("limits: \(limits)\n" + Self.layers).diagnostics.map(\.code.rawValue)
        }
        #expect(codes("{max_params: 0}") == ["non-positive"])
        #expect(codes("{max_macs: -1}") == ["non-positive"])
        #expect(codes("{max_params: many}") == ["wrong-type"])
        #expect(codes("[1, 2]") == ["wrong-type"])
        #expect(codes("{max_flops: 10}") == ["unknown-key"])
        let typo = compile("limits: {max_param: 10}\n" + Self.layers).diagnostics.first
        #expect(typo?.notes.first?.message == "did you mean 'max_params'?")
        #expect(codes("{}").isEmpty)
    }

    @Test func checkTakesBudgetsOnTheCommandLine() throws {
        let run = try Run(["check", "--color", "never", "--max-params", "50000", "specs/mnist.yaml"])
        #expect(run.status == 1)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(
            lines.first
                == "specs/mnist.yaml:1:1: error: the model has 93,322 parameters, over the --max-params budget of 50,000 [over-param-budget]"
        )
        #expect(
            lines.contains("specs/mnist.yaml:21:5: note: 'conv2d_2' (conv2d) has 36,928 parameters, 39.6% of the total")
        )
        #expect(
            lines.contains("specs/mnist.yaml:23:5: note: 'dense' (dense) has 36,928 parameters, 39.6% of the total"))
        #expect(
            lines.contains("specs/mnist.yaml:14:5: note: 'conv2d_1' (conv2d) has 18,496 parameters, 19.8% of the total")
        )
        #expect(
            try Run([
                "check", "--max-params", "93322", "--max-macs", "2794240", "--max-activation-bytes", "86528",
                "specs/mnist.yaml",
            ]).status == 0)
        #expect(try Run(["check", "--max-macs", "2794239", "specs/mnist.yaml"]).status == 1)
        #expect(try Run(["check", "--max-activation-bytes", "86527", "specs/mnist.yaml"]).status == 1)
        for usage in [["--max-params", "0"], ["--max-macs", "-5"], ["--max-activation-bytes", "lots"]] {
            #expect(try Run(["check"] + usage + ["specs/mnist.yaml"]).status == 64, "\(usage)")
        }
    }

    @Test func budgetErrorsInJSONAndSARIF() throws {
        let arguments = ["--max-activation-bytes", "40000", "specs/mnist.yaml"]
        let json = try Run(["check", "--format", "json"] + arguments)
        let diagnostics = try #require(
            try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(diagnostics.count == 1)
        #expect(diagnostics[0]["code"] as? String == "over-activation-budget")
        #expect(
            diagnostics[0]["message"] as? String
                == "the largest activation takes 86,528 bytes per sample, over the --max-activation-bytes budget of 40,000"
        )
        let notes = try #require(diagnostics[0]["notes"] as? [[String: Any]])
        #expect(
            notes.first?["message"] as? String == "'conv2d' (conv2d) gives 26x26x32, 86,528 bytes, 216.3% of the budget"
        )
        #expect(notes.first?["line"] as? Int == 8)

        let sarif = try Run(["check", "--format", "sarif"] + arguments)
        let log = try #require(try JSONSerialization.jsonObject(with: Data(sarif.stdout.utf8)) as? [String: Any])
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        let results = try #require(run["results"] as? [[String: Any]])
        #expect(results.count == 1)
        #expect(results[0]["ruleId"] as? String == "over-activation-budget")
        #expect((results[0]["relatedLocations"] as? [Any])?.count == 3)
        let rules = try #require((run["tool"] as? [String: [String: Any]])?["driver"]?["rules"] as? [[String: Any]])
        #expect(rules[try #require(results[0]["ruleIndex"] as? Int)]["id"] as? String == "over-activation-budget")
    }

    @Test func specLimitsHoldForEveryCommand() throws {
        let folder = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let spec = folder.appendingPathComponent("tiny.yaml")
        try Data(("limits: {max_params: 100}\n" + Self.layers).utf8).write(to: spec)
        let summary = try Run(["summary", spec.path])
        #expect(summary.status == 1)
        #expect(summary.stdout.isEmpty)
        #expect(
            summary.stderr.contains(
                "error: the model has 1,490 parameters, over the max_params budget of 100 [over-param-budget]"))
        #expect(try Run(["check", "--max-params", "2000", spec.path]).status == 0)
    }
}
