import ArgumentParser
import CNNFormats
import CNNOnnx

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Turn an ONNX model into a spec and safetensors weights.",
        discussion: """
            Writes DIR/NAME.yaml and DIR/NAME.safetensors. An [N, C, H, W] input becomes \
            'input: {shape: [H, W, C]}' and the weights are transposed to Keras's layouts, so the \
            spec takes channels-last input and, for a vector output, gives the ONNX model's \
            numbers. Activations, biases and per-channel scales are folded into the layer before \
            them where nothing else reads that layer. Every node that has no spec equivalent is \
            named in one error. Reads operator sets 7 to 23 (torch.onnx.export, tf2onnx, the ONNX \
            model zoo).
            """
    )

    @Argument(help: "The ONNX model (.onnx).")
    var model: String

    @Option(name: .shortAndLong, help: "The directory to write to (created if needed).")
    var output: String

    @Option(help: "The base name of the files written (default: the model's file name).")
    var name: String?

    func validate() throws {
        if let name, name.isEmpty || name.contains("/") || name.hasPrefix(".") {
            throw ValidationError("--name must be a file name without '/', not '\(name)'.")
        }
    }

    func run() throws {
        let base = name ?? Self.baseName(model)
        do {
            var imported = try OnnxImporter.importModel(OnnxFile(contentsOf: model), name: base)
            let directory = output.hasSuffix("/") ? String(output.dropLast()) : output
            let weights = SafeTensors.encode(
                draining: &imported.weights, metadata: ["format": "pt", "generator": "cnnc import"])
            try OutputFiles.write(
                [
                    OutputFiles.File(path: "\(directory)/\(base).yaml", text: imported.spec),
                    OutputFiles.File(path: "\(directory)/\(base).safetensors", bytes: weights),
                ], creating: directory)
            for note in imported.notes { Terminal.write("\(model): note: \(note)\n", to: .standardError) }
        } catch {
            Terminal.write(error.description + "\n", to: .standardError)
            throw ExitCode.failure
        }
    }

    /// "resnet18" for "models/resnet18.onnx".
    static func baseName(_ path: String) -> String {
        let file = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = file.lastIndex(of: "."), dot != file.startIndex else { return file }
        return String(file[..<dot])
    }
}
