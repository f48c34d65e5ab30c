import ArgumentParser
import CNNEmitter
import CNNFormats
import CNNGraph
import CNNInterpreter
import CNNSpec
import Foundation

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write specialized, dependency-free Swift source for the model.",
        discussion: """
            Writes DIR/<Name>.swift: a Sendable model type whose shapes and offsets are constants, \
            an initializer that loads and checks safetensors weights, and a prediction API. \
            --executable also writes DIR/main.swift, so that \
            'swiftc -O -target-cpu native -DCNNC_FMA DIR/*.swift -o model' builds a program with \
            the options of 'cnnc run'. Use -DCNNC_FMA only with a -target-cpu that has FMA.
            """
    )

    @Argument(help: "The spec file.")
    var spec: String

    @Option(name: .shortAndLong, help: "The directory to write to (created if needed).")
    var output: String

    @Flag(help: "Also write main.swift: a program with --weights, --input, --output and --bench.")
    var executable = false

    @Option(help: "Compile these safetensors weights into the source, so the model needs no file.")
    var embedWeights: String?

    @OptionGroup var options: DiagnosticOptions

    func run() throws {
        let graph = try validatedGraph(spec, color: options.color, failed: options.failed)
        do {
            var embedded: [String: Tensor]?
            if let embedWeights {
                let tensors = try SafeTensors.read(contentsOf: embedWeights)
                _ = try ModelWeights(graph, tensors: tensors, path: embedWeights)
                embedded = tensors
            }
            let emitter = SwiftEmitter(graph: graph, embedding: embedded)
            try write(emitter.modelSource(), to: emitter.modelFileName)
            if executable { try write(emitter.mainSource(), to: "main.swift") }
        } catch {
            Terminal.write(error.description + "\n", to: .standardError)
            throw ExitCode.failure
        }
    }

    private func write(_ text: String, to name: String) throws(FileFormatError) {
        let directory = URL(fileURLWithPath: output)
        let path = directory.appendingPathComponent(name).path
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw FileFormatError(path: path, message: "cannot write the file: \(error.localizedDescription)")
        }
    }
}
