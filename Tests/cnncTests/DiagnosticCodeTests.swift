import CNNGraph
import CNNSpec
import Foundation
import TestSupport
import Testing

/// Every diagnostic code, produced from a spec snippet, at the position the marker shows.
@Suite struct DiagnosticCodeTests {
    static let header = "input: {shape: [8, 8, 1]}\nlayers:\n"

    /// code → snippet; 1️⃣ marks where the diagnostic must point.
    static let cases: [(String, String)] = [
        ("alias-key", "a: &a [1, 2]\n1️⃣*a : 3\n"),
        ("bad-value", header + "  - {type: flatten}\n  - {type: dropout, rate: 1️⃣-0.1}\n"),
        ("dropout-last", header + "  - {type: flatten}\n  - 1️⃣{type: dropout, rate: 0.5}\n"),
        ("duplicate-key", header + "  - {type: flatten, name: a, 1️⃣name: b}\n"),
        ("duplicate-name", header + "  - {type: flatten}\n  - {type: dense, units: 2, name: 1️⃣flatten}\n"),
        ("empty-layers", "input: {shape: [8, 8, 1]}\nlayers: 1️⃣[]\n"),
        ("empty-spec", "1️⃣# nothing but a comment\n"),
        ("forward-reference", header + "  - {type: add, inputs: [input, 1️⃣b]}\n  - {type: flatten, name: b}\n"),
        ("integer-overflow", header + "  - {type: conv2d, filters: 1️⃣99999999999999999999, kernel_size: 3}\n"),
        ("invalid-name", header + "  - {type: flatten, name: 1️⃣my-layer}\n"),
        ("keras-model-file", "1️⃣{\"class_name\": \"Sequential\", \"config\": {\"layers\": []}, \"keras_version\": \"3.5.0\"}\n"),
        ("kernel-too-large", header + "  - {type: conv2d, filters: 2, kernel_size: 1️⃣9}\n"),
        ("missing-key", header + "  - 1️⃣{type: dense}\n"),
        ("negative-padding", header + "  - {type: zero_padding2d, padding: 1️⃣-1}\n"),
        ("non-positive", header + "  - {type: conv2d, filters: 2, kernel_size: 3, strides: [1, 1️⃣0]}\n"),
        ("not-finite", header + "  - {type: batch_norm, epsilon: 1️⃣.nan}\n"),
        ("over-activation-budget", "limits: {max_activation_bytes: 1️⃣100}\n" + header + "  - {type: flatten}\n"),
        ("over-mac-budget", "limits: {max_macs: 1️⃣10}\n" + header + "  - {type: flatten}\n  - {type: dense, units: 3}\n"),
        ("over-param-budget", "limits: {max_params: 1️⃣10}\n" + header + "  - {type: flatten}\n  - {type: dense, units: 3}\n"),
        ("parse-error", header + "  - {type: flatten\n1️⃣"),
        ("redundant-activation", header + "  - {type: flatten}\n  - {type: dense, units: 3, activation: relu6}\n  - {type: activation, activation: 1️⃣relu}\n"),
        ("shape-mismatch", header + "  - {type: conv2d, name: c, filters: 2, kernel_size: 3}\n  - {type: add, inputs: 1️⃣[input, c]}\n"),
        ("shape-shrink", header + "  - {type: cropping2d, cropping: 1️⃣[4, 0]}\n"),
        ("softmax-not-last", header + "  - {type: flatten}\n  - {type: dense, units: 3, activation: 1️⃣softmax}\n  - {type: dense, units: 2}\n"),
        ("strided-dilation", header + "  - {type: conv2d, filters: 2, kernel_size: 3, strides: 2, dilation_rate: 1️⃣2}\n"),
        ("too-few-inputs", header + "  - {type: add, inputs: 1️⃣[input]}\n"),
        ("too-large", header + "  - 1️⃣{type: conv2d, filters: 1000000000, kernel_size: 3}\n"),
        ("too-many-inputs", header + "  - {type: flatten, name: f}\n  - {type: dense, units: 2, inputs: 1️⃣[f, f]}\n"),
        ("too-many-values", "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"),
        ("unknown-activation", header + "  - {type: activation, activation: 1️⃣ReLU}\n"),
        ("unknown-key", header + "  - {type: flatten, 1️⃣units: 3}\n"),
        ("unknown-name", header + "  - {type: add, inputs: [input, 1️⃣nope]}\n"),
        ("unknown-type", header + "  - {type: 1️⃣Conv2D, filters: 1, kernel_size: 1}\n"),
        ("unknown-value", header + "  - {type: conv2d, filters: 1, kernel_size: 1, padding: 1️⃣full}\n"),
        ("wrong-arity", header + "  - {type: conv2d, name: c, filters: 1, kernel_size: 1}\n  - {type: subtract, inputs: 1️⃣[input, c, c]}\n"),
        ("unknown-version", "cnnc: 1️⃣3\n" + header + "  - {type: flatten}\n"),
        ("unused-output", header + "  - 1️⃣{type: flatten, name: a}\n  - {type: flatten, inputs: [input]}\n"),
        ("wrong-rank", header + "  - {type: 1️⃣dense, units: 3}\n"),
        ("wrong-type", header + "  - {type: conv2d, filters: 1️⃣'8', kernel_size: 3}\n"),
    ]

    /// Codes only a file on disk can produce; `RobustnessTests` covers them.
    static let fileCodes: Set<String> = ["file-too-large", "invalid-encoding", "unreadable-file"]

    @Test(arguments: cases)
    func codeIsReportedWhereTheMarkerIs(code: String, snippet: String) {
        let marked = Marked(snippet)
        let diagnostics = compile(marked.text).diagnostics
        let match = diagnostics.first { $0.code.rawValue == code }
        #expect(match != nil, "\(code): got \(diagnostics.map { "\($0.code) \($0.message)" })")
        let rule = DiagnosticRule.all.first { $0.code.rawValue == code }
        #expect(match == nil || match?.severity == rule?.severity, "\(code) is a \(match.map { "\($0.severity)" } ?? "?"), its rule says \(rule.map { "\($0.severity)" } ?? "nothing")")
        if let match, marked.locations["1️⃣"] != nil {
            #expect(match.location.line == marked["1️⃣"].line && match.location.column == marked["1️⃣"].column,
                "\(code) at \(match.location), expected \(marked["1️⃣"])")
        }
    }

    /// Adding a code to a catalogue without a case here fails this test.
    @Test func everyCataloguedCodeHasACase() throws {
        let catalogues = ["Sources/CNNSpec/SpecDiagnostics.swift", "Sources/CNNGraph/GraphDiagnostics.swift"]
        var codes: Set<String> = []
        for path in catalogues {
            let text = try String(contentsOf: Paths.packageRoot.appendingPathComponent(path), encoding: .utf8)
            for piece in text.components(separatedBy: "DiagnosticCode(rawValue: \"").dropFirst() {
                codes.insert(String(piece.prefix { $0 != "\"" }))
            }
        }
        #expect(codes.count > 30)
        let covered = Set(Self.cases.map(\.0)).union(Self.fileCodes)
        #expect(codes.subtracting(covered).isEmpty, "untested codes: \(codes.subtracting(covered).sorted())")
        // One rule (for SARIF) per code, no more.
        let rules = DiagnosticRule.all.map(\.code.rawValue)
        #expect(Set(rules).count == rules.count)
        #expect(Set(rules) == codes, "codes without a rule: \(codes.subtracting(rules).sorted()), rules without a code: \(Set(rules).subtracting(codes).sorted())")
    }

    @Test func allErrorsOfASpecAreReported() {
        let text = Self.header + "  - {type: conv2d, filters: 0, kernel_size: 3}\n  - {type: dens, units: 2}\n  - {type: flatten, foo: 1}\n"
        let codes = compile(text).diagnostics.map(\.code.rawValue)
        #expect(codes == ["non-positive", "unknown-type", "unknown-key"])
    }

    @Test func denseOnAFeatureMapSuggestsFlatten() {
        let diagnostic = compile(Self.header + "  - {type: dense, units: 3}\n").diagnostics.first
        #expect(diagnostic?.notes.contains { $0.message.contains("- type: flatten") } == true)
    }

    @Test func kernelTooLargeExplainsTheShapes() {
        let text = "input: {shape: [12, 12, 1]}\nlayers:\n  - {type: conv2d, filters: 8, kernel_size: 3}\n  - {type: max_pool2d}\n  - {type: max_pool2d}\n  - {type: conv2d, filters: 8, kernel_size: 5}\n"
        let diagnostic = compile(text).diagnostics.first
        #expect(diagnostic?.message == "kernel 5x5 is larger than the 2x2 input of conv2d_1 (valid padding)")
        #expect(diagnostic?.notes.first?.message == "shapes: input 12x12x1 → conv2d 10x10x8 → max_pool2d 5x5x8 → max_pool2d_1 2x2x8")
    }

    @Test func aFailedLayerDoesNotCascade() {
        let text = Self.header + "  - {type: conv2d, filters: -1, kernel_size: 3}\n  - {type: conv2d, filters: 2, kernel_size: 3}\n  - {type: flatten}\n"
        #expect(compile(text).diagnostics.count == 1)
    }
}
