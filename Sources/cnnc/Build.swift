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
            'swiftc -O -target-cpu native -DCNNC_FMA -DCNNC_PREFETCH DIR/*.swift -o model' builds a program with \
            the options of 'cnnc run'. Use -DCNNC_FMA only with a -target-cpu that has FMA.
            """
    )

    @Argument(help: "The spec file.")
    var spec: String

    @Option(
        name: .shortAndLong, help: "The directory to write to (created if needed; on failure it is left as it was).")
    var output: String

    @Flag(help: "Also write main.swift: a program with --weights, --input, --output and --bench.")
    var executable = false

    @Option(help: "Compile these safetensors weights into the source, so the model needs no file.")
    var embedWeights: String?

    @Option(
        help: ArgumentHelp(
            "The name of the model's Swift file (default: <Name>.swift).",
            discussion: "Build tools that must know their outputs before cnnc runs (SwiftPM plugins) name it."))
    var fileName: String?

    @OptionGroup var options: DiagnosticOptions

    func validate() throws {
        if let fileName,
            fileName.isEmpty || fileName.contains("/") || !fileName.hasSuffix(".swift") || fileName == "main.swift"
        {
            throw ValidationError(
                "--file-name must be a file name ending in .swift, not main.swift, not '\(fileName)'.")
        }
    }

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
            let modelFile = fileName ?? emitter.modelFileName
            var files = [OutputFiles.File(path: path(modelFile), text: emitter.modelSource())]
            if executable { files.append(OutputFiles.File(path: path("main.swift"), text: emitter.mainSource())) }
            try OutputFiles.write(files, creating: output)
            if let embedded, let note = Build.embeddingCost(embedded, file: modelFile, model: graph.name) {
                Terminal.write(note + "\n", to: .standardError)
            }
        } catch {
            Terminal.write(error.description + "\n", to: .standardError)
            throw ExitCode.failure
        }
    }

    /// What compiling large weights into the source costs, said from 16 MB of weights on.
    /// Measured with swiftc 6.3 -O on one core (Benchmarks/compile_time.py, ResNet-50): per MB of
    /// weights, which travel through the compiler as base64, up to 0.08 s and 14 MB of memory, and
    /// 0.05 s and 9 MB without the IR hash (the README shows the flag on a SwiftPM target).
    static func embeddingCost(_ tensors: [String: Tensor], file: String, model: String) -> String? {
        let megabytes = Double(tensors.values.reduce(0) { $0 + $1.scalars.count }) * 4 / 1_000_000
        guard megabytes >= 16 else { return nil }
        func seconds(_ perMegabyte: Double) -> Int { max(1, Int((megabytes * perMegabyte).rounded())) }
        func gigabytes(_ perMegabyte: Double) -> Double { (megabytes * perMegabyte * 10).rounded() / 10 }
        return
            "note: \(file) holds \(Int(megabytes.rounded())) MB of weights; swiftc -O takes up to \(seconds(0.08)) s "
            + "and \(gigabytes(0.014)) GB more to compile them (\(seconds(0.05)) s and \(gigabytes(0.009)) GB with "
            + "-Xfrontend -disable-incremental-llvm-codegen). Loading them at run time, "
            + "\(model)(weightsAt: \"....safetensors\"), keeps the build fast."
    }

    private func path(_ name: String) -> String {
        output.hasSuffix("/") ? output + name : output + "/" + name
    }
}
