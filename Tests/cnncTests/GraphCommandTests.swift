import Foundation
import Testing

/// `cnnc graph`: the three formats, standard output or an atomic `-o`, and check's exit codes.
@Suite struct GraphCommandTests {
    @Test func svgGoesToStandardOutputByDefault() throws {
        let run = try Run(["graph", "specs/residual_block.yaml"])
        #expect(run.status == 0)
        #expect(run.stderr.isEmpty)
        #expect(run.stdout.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(run.stdout.hasSuffix("</svg>\n"))
        #expect(run.stdout.components(separatedBy: "<rect ").count - 1 == 11)
        #expect(run.stdout.contains("<tspan font-weight=\"bold\">shortcut</tspan> · add"))
    }

    @Test func dotAndMermaidFormats() throws {
        let dot = try Run(["graph", "--format", "dot", "specs/unet_small.yaml"])
        #expect(dot.status == 0)
        #expect(dot.stdout.hasPrefix("digraph \"UNetSmall\" {\n"))
        #expect(dot.stdout.contains("n10 [label=\"dec2_skip · concatenate\\n[32, 32, 96] · 0 params\""))
        let mermaid = try Run(["graph", "--format", "mermaid", "specs/unet_small.yaml"])
        #expect(mermaid.status == 0)
        #expect(mermaid.stdout.hasPrefix("flowchart TD\n"))
        #expect(mermaid.stdout.contains("n5 --> n10"))
    }

    @Test func outputFileIsWrittenWholeAndReplaced() throws {
        let folder = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("model.svg").path
        try Data("old".utf8).write(to: URL(fileURLWithPath: path))
        let run = try Run(["graph", "specs/mnist.yaml", "-o", path])
        #expect(run.status == 0)
        #expect(run.stdout.isEmpty && run.stderr.isEmpty)
        let written = try String(contentsOfFile: path, encoding: .utf8)
        #expect(written == (try Run(["graph", "specs/mnist.yaml"])).stdout)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["model.svg"])
        let mermaid = try Run(["graph", "specs/mnist.yaml", "--format", "mermaid", "--output", path])
        #expect(mermaid.status == 0)
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("flowchart TD\n"))
    }

    @Test func invalidSpecDrawsNothingAndKeepsTheOldFile() throws {
        let folder = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try Run(["graph", "--color", "never", "specs/invalid/kernel_too_large.yaml"])
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("error: kernel 5x5 is larger than the 2x2 input of conv2d_1"))
        let kept = folder.appendingPathComponent("kept.svg").path
        try Data("old".utf8).write(to: URL(fileURLWithPath: kept))
        #expect(try Run(["graph", "specs/invalid/kernel_too_large.yaml", "-o", kept]).status == 1)
        #expect(try String(contentsOfFile: kept, encoding: .utf8) == "old")
        let fresh = folder.appendingPathComponent("fresh.svg").path
        #expect(try Run(["graph", "specs/invalid/kernel_too_large.yaml", "-o", fresh]).status == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["kept.svg"])
    }

    @Test func warningsPassUnlessTreatedAsErrors() throws {
        let run = try Run(["graph", "specs/warnings/lints.yaml"])
        #expect(run.status == 0)
        #expect(run.stderr.contains("warning: "))
        #expect(run.stdout.hasPrefix("<svg"))
        let strict = try Run(["graph", "--warnings-as-errors", "specs/warnings/lints.yaml"])
        #expect(strict.status == 1)
        #expect(strict.stdout.isEmpty)
    }

    @Test func usageErrorsExit64() throws {
        #expect(try Run(["graph"]).status == 64)
        #expect(try Run(["graph", "--format", "png", "specs/mnist.yaml"]).status == 64)
        #expect(try Run(["graph", "specs/mnist.yaml", "-o"]).status == 64)
    }

    @Test func unwritableOutputIsAnError() throws {
        let run = try Run(["graph", "specs/mnist.yaml", "-o", "no/such/folder/model.svg"])
        #expect(run.status == 1)
        #expect(
            run.stderr.contains("no/such/folder/model.svg: error: cannot create it: no such directory 'no/such/folder'")
        )
        let missing = try Run(["graph", "no/such/spec.yaml"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("cannot read 'no/such/spec.yaml'"))
    }

    /// Two processes (each with its own hash seed) draw the same bytes.
    @Test(arguments: ["svg", "dot", "mermaid"])
    func outputIsTheSameEveryRun(format: String) throws {
        let first = try Run(["graph", "--format", format, "specs/resnet50.yaml"])
        let second = try Run(["graph", "--format", format, "specs/resnet50.yaml"])
        #expect(first.status == 0)
        #expect(first.stdout == second.stdout)
    }

    @Test func helpListsTheCommand() throws {
        let run = try Run(["--help"])
        #expect(run.stdout.contains("graph"))
        let help = try Run(["help", "graph"])
        #expect(help.stdout.contains("--format"))
        #expect(help.stdout.contains("svg"))
    }
}
