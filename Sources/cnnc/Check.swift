import ArgumentParser
import CNNGraph
import CNNSpec

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Parse, validate and infer shapes; print every diagnostic.",
        discussion: "Prints nothing and exits 0 when every spec is clean, like a linter in a pre-commit hook."
    )

    @Option(help: "Output format: text (swiftc style), json (one array) or github (Actions annotations).")
    var format: DiagnosticFormat = .text

    @OptionGroup var options: DiagnosticOptions

    @Argument(help: "Spec files (.yaml, .yml or .json).")
    var specs: [String]

    func validate() throws {
        guard !specs.isEmpty else { throw ValidationError("give at least one spec file") }
    }

    func run() throws {
        var renderer = DiagnosticRenderer(format: format, colored: Terminal.useColor(options.color, stream: .standardOutput))
        var diagnostics: [Diagnostic] = []
        for path in specs {
            let compilation = Compilation(path: path)
            if let source = compilation.source { renderer.add(source) }
            diagnostics += compilation.diagnostics
        }
        Terminal.write(renderer.render(diagnostics), to: .standardOutput)
        if options.failed(diagnostics) { throw ExitCode.failure }
    }
}
