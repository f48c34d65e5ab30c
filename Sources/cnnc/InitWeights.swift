import ArgumentParser
import CNNFormats
import CNNGraph
import CNNSpec

struct InitWeights: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init-weights",
        abstract: "Write weights with Keras's default initializers, to try run and build without a trained model.",
        discussion: """
            glorot_uniform kernels, zero biases, batch_norm gamma 1, beta 0, moving mean 0 and \
            variance 1, a normalization's mean 0 and variance 1; the keys and shapes are those \
            'cnnc summary --format json' lists. The same --seed gives the same file.
            """
    )

    @Argument(help: "The spec file.")
    var spec: String

    @Option(name: .shortAndLong, help: "The safetensors file to write (replaced whole, or left as it was on failure).")
    var output: String

    @Option(help: "The random seed: the same seed gives the same weights.")
    var seed: UInt64 = 0

    @OptionGroup var options: DiagnosticOptions

    func run() throws {
        let graph = try validatedGraph(spec, color: options.color, failed: options.failed)
        var tensors: [String: Tensor] = [:]
        for tensor in InitialWeights.make(graph, seed: seed) {
            tensors[tensor.key] = Tensor(shape: tensor.shape, scalars: tensor.values)
        }
        do {
            try SafeTensors.write(tensors, to: output, metadata: ["format": "pt", "generator": "cnnc init-weights"])
        } catch {
            Terminal.write(error.description + "\n", to: .standardError)
            throw ExitCode.failure
        }
    }
}
