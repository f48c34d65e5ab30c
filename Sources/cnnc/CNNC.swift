import ArgumentParser
import CNNGraph
import CNNSpec

@main
struct CNNC: ParsableCommand {
    /// `cnnc --version`, and the version SARIF logs name.
    static let version = "0.1.0"
    /// Where SARIF logs say to read about cnnc. The project has no public home yet, so this is a
    /// reserved, never-resolving name (RFC 2606); set it when the repository is published.
    static let informationURI = "https://cnnc.invalid/"

    static let configuration = CommandConfiguration(
        commandName: "cnnc",
        abstract: "A compiler for declarative convolutional-network specs (YAML or JSON).",
        discussion: """
            Exit status: 0 success, 1 an error in a spec (or a warning with --warnings-as-errors), \
            64 a usage error.
            """,
        version: CNNC.version,
        subcommands: [
            Check.self, Summary.self, GraphCommand.self, Run.self, Build.self, InitWeights.self, Import.self,
            Export.self, Schema.self,
        ]
    )
}

/// Options every command that reads a spec shares.
struct DiagnosticOptions: ParsableArguments {
    @Flag(help: "Treat warnings as errors: exit 1 when any warning is reported.")
    var warningsAsErrors = false

    @Option(help: "Color diagnostics: auto (when printing to a terminal), always or never.")
    var color: ColorChoice = .auto

    func failed(_ diagnostics: [Diagnostic]) -> Bool {
        diagnostics.hasErrors || (warningsAsErrors && !diagnostics.isEmpty)
    }
}

enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never
}

extension DiagnosticFormat: ExpressibleByArgument {}

/// Compiles the spec a command works on, printing its diagnostics to standard error; throws the
/// failure exit when there is no graph or `failed` says the diagnostics fail the run.
func validatedGraph(_ spec: String, color: ColorChoice, failed: ([Diagnostic]) -> Bool) throws -> Graph {
    let compilation = Compilation(path: spec)
    var renderer = DiagnosticRenderer(format: .text, colored: Terminal.useColor(color, stream: .standardError))
    if let source = compilation.source { renderer.add(source) }
    Terminal.write(renderer.render(compilation.diagnostics), to: .standardError)
    guard let graph = compilation.graph, !failed(compilation.diagnostics) else { throw ExitCode.failure }
    return graph
}
