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
        let graph = try validatedGraph(spec, color: options.color, failed: options.failed)
        let summary = ModelSummary(graph)
        switch format {
        case .text: Terminal.write(summary.table, to: .standardOutput)
        case .json: Terminal.write(summary.json.rendered(pretty: true) + "\n", to: .standardOutput)
        }
    }
}
