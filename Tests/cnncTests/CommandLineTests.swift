import Foundation
import Testing

/// The `cnnc` executable: output formats and the contract's exit codes.
@Suite struct CommandLineTests {
    let conformance = Paths.conformance.appendingPathComponent("specs").path

    @Test func checkOfACleanSpecPrintsNothing() throws {
        let run = try Run(["check", "specs/mnist.yaml", "specs/lenet5.yaml"])
        #expect(run.status == 0)
        #expect(run.stdout.isEmpty)
    }

    @Test func textDiagnosticsAreSwiftcStyle() throws {
        let run = try Run(["check", "--color", "never", "\(conformance)/unknown_type_dens.yaml"])
        #expect(run.status == 1)
        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "\(conformance)/unknown_type_dens.yaml:6:11: error: unknown layer type 'dens' [unknown-type]")
        #expect(lines[1] == "  - type: dens      # expect-error-line: unknown layer type 'dens', did you mean 'dense'")
        #expect(lines[2] == "          ^")
        #expect(lines[3] == "note: did you mean 'dense'?")
    }

    @Test func jsonFormatIsOneArrayForAllFiles() throws {
        let run = try Run(["check", "--format", "json", "\(conformance)/missing_units.yaml", "specs/mnist.yaml", "\(conformance)/warn_softmax_conv.yaml"])
        #expect(run.status == 1)
        let array = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        #expect(array.map { $0["severity"] as? String } == ["error", "warning"])
        #expect(array[0]["line"] as? Int == 6)
        #expect(array[0]["column"] as? Int == 5)
        #expect(array[0]["code"] as? String == "missing-key")
        #expect(array[0]["file"] as? String == "\(conformance)/missing_units.yaml")
        #expect(array[0]["message"] as? String == "layer 'dense' needs key 'units'")
        let empty = try Run(["check", "--format", "json", "specs/mnist.yaml"])
        #expect(empty.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
    }

    @Test func githubFormatIsAnnotations() throws {
        let run = try Run(["check", "--format", "github", "\(conformance)/dropout_rate_high.yaml"])
        #expect(run.status == 1)
        #expect(run.stdout.hasPrefix("::error file=\(conformance)/dropout_rate_high.yaml,line=7,col=11,title=cnnc%3A bad-value::'rate' is 1.5"))
    }

    @Test func warningsPassUnlessTreatedAsErrors() throws {
        let spec = "\(conformance)/warn_dense_relu_relu.yaml"
        #expect(try Run(["check", spec]).status == 0)
        #expect(try Run(["check", spec]).stdout.contains("warning: "))
        #expect(try Run(["check", "--warnings-as-errors", spec]).status == 1)
        #expect(try Run(["summary", "--warnings-as-errors", spec]).status == 1)
    }

    @Test func usageErrorsExit64() throws {
        #expect(try Run(["check"]).status == 64)
        #expect(try Run(["check", "--format", "xml", "specs/mnist.yaml"]).status == 64)
        #expect(try Run(["summary"]).status == 64)
        #expect(try Run(["frobnicate"]).status == 64)
    }

    @Test func missingFileIsAnError() throws {
        let run = try Run(["check", "no/such/spec.yaml"])
        #expect(run.status == 1)
        #expect(run.stdout.contains("no/such/spec.yaml:1:1: error: cannot read 'no/such/spec.yaml': no such file [unreadable-file]"))
    }

    @Test func summaryTableAndJSON() throws {
        let table = try Run(["summary", "specs/mnist.yaml"])
        #expect(table.status == 0)
        #expect(table.stdout.contains("Model: \"MNISTClassifier\""))
        #expect(table.stdout.contains("│ conv2d (Conv2D)"))
        #expect(table.stdout.contains("Total params: 93,322"))
        let json = try Run(["summary", "--format", "json", "specs/mnist.yaml"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object.keys.sorted() == ["input_shape", "layers", "name", "output_shape", "total_macs", "total_params"])
        #expect(object["total_params"] as? Int == 93_322)
        let invalid = try Run(["summary", "\(conformance)/missing_units.yaml"])
        #expect(invalid.status == 1)
        #expect(invalid.stdout.isEmpty)
        #expect(invalid.stderr.contains("error: layer 'dense' needs key 'units'"))
    }

    @Test func helpDescribesTheCommands() throws {
        let run = try Run(["--help"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("check") && run.stdout.contains("summary"))
    }
}
