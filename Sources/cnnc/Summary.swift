import ArgumentParser
import CNNGraph
import CNNSpec

struct Summary: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a Keras-like table: layer (type), output shape, params, multiply-adds; totals.",
        discussion: "Diagnostics go to standard error; the summary is printed only for a valid spec."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Option(help: "Output format: text (a table) or json (the contract's summary object).")
    var format: Format = .text

    @OptionGroup var options: DiagnosticOptions

    @Argument(help: "The spec file.")
    var spec: String

    func run() throws {
        let compilation = Compilation(path: spec)
        var renderer = DiagnosticRenderer(format: .text, colored: Terminal.useColor(options.color, stream: .standardError))
        if let source = compilation.source { renderer.add(source) }
        Terminal.write(renderer.render(compilation.diagnostics), to: .standardError)
        guard let graph = compilation.graph, !options.failed(compilation.diagnostics) else { throw ExitCode.failure }
        let summary = ModelSummary(graph)
        switch format {
        case .text: Terminal.write(summary.table, to: .standardOutput)
        case .json: Terminal.write(summary.json.rendered(pretty: true) + "\n", to: .standardOutput)
        }
    }
}
