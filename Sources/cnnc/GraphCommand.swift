import ArgumentParser
import CNNFormats
import CNNPicture

struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Draw the model: a box per layer (name, type, output shape, params), arrows for the data flow.",
        discussion: """
            svg (the default) is laid out and drawn by cnnc itself, no Graphviz needed; dot is \
            Graphviz text (dot -Tsvg), mermaid a flowchart that GitHub renders in Markdown. The \
            spec is checked first: its diagnostics go to standard error, and an invalid spec draws \
            nothing.
            """
    )

    @Argument(help: "The spec file.")
    var spec: String

    @Option(help: "svg (drawn by cnnc), dot (Graphviz text) or mermaid (a flowchart for Markdown).")
    var format: PictureFormat = .svg

    @Option(
        name: .shortAndLong,
        help: "The file to write (replaced whole, or left as it was on failure); default standard output.")
    var output: String?

    @OptionGroup var options: DiagnosticOptions

    func run() throws {
        let graph = try validatedGraph(spec, color: options.color, failed: options.failed)
        let picture = ModelPicture(graph).rendered(as: format)
        guard let output else {
            Terminal.write(picture, to: .standardOutput)
            return
        }
        do {
            try OutputFiles.write(Array(picture.utf8), to: output)
        } catch {
            Terminal.write(error.description + "\n", to: .standardError)
            throw ExitCode.failure
        }
    }
}

extension PictureFormat: ExpressibleByArgument {}
