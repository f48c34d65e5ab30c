import ArgumentParser
import CNNFormats
import CNNGraph
import CNNInterpreter
import CNNOnnx

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the model and its weights as an ONNX model.",
        discussion: """
            The model's input 'input' is float32 [N, H, W, C] (N symbolic), as 'cnnc run' takes \
            it, and its output 'output' is [N, ...the spec's output shape], channels-last; inside, \
            feature maps are transposed to ONNX's [N, C, H, W]. Operator set \(OnnxExporter.opset), \
            default domain only, so ONNX Runtime and Netron open it. Nodes are named after the \
            spec's layers and initializers after the weights' keys (conv2d.kernel), in ONNX's \
            layouts. The weights are checked against the spec first, as 'cnnc run' checks them.
            """
    )

    @Argument(help: "The spec file.")
    var spec: String

    @Option(help: "The weights: a safetensors file with the tensors the spec declares.")
    var weights: String

    @Option(name: .shortAndLong, help: "The ONNX file to write (replaced whole, or left as it was on failure).")
    var output: String

    @Option(help: "Color diagnostics: auto (when printing to a terminal), always or never.")
    var color: ColorChoice = .auto

    func run() throws {
        let graph = try validatedGraph(spec, color: color, failed: \.hasErrors)
        do {
            let tensors = try SafeTensors.read(contentsOf: weights)
            _ = try ModelWeights(graph, tensors: tensors, path: weights)
            let model = try OnnxExporter.export(
                graph, weights: tensors, producerVersion: CNNC.configuration.version)
            try OutputFiles.write(model, to: output)
        } catch {
            Terminal.write(error.description + "\n", to: .standardError)
            throw ExitCode.failure
        }
    }
}
