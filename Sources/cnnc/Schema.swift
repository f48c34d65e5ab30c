import ArgumentParser
import CNNGraph

struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the JSON Schema (draft 2020-12) of the spec format.",
        discussion: """
            Printed from the same tables the validator reads. Save it (the repository keeps a copy in \
            schema/cnnc.schema.json) and point an editor at it, e.g. with a first line \
            '# yaml-language-server: $schema=PATH' for the YAML language server. A spec may carry a \
            top-level '$schema' key, which cnnc ignores.
            """
    )

    func run() throws {
        Terminal.write(SpecSchema.text, to: .standardOutput)
    }
}
