import ArgumentParser
import CNNFormats
import CNNGraph
import CNNInterpreter
import CNNSpec
import Foundation

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the interpreted graph on a batch: weights from safetensors, input and output as .npy.",
        discussion: """
            The input is float32 (float64 and uint8 are converted), shape [N, H, W, C] or [H, W, C] \
            for one sample. --bench N runs the batch N times on one thread and prints \
            'median_ns_per_batch: <integer>' as the last line; --output is then optional.
            """
    )

    @Argument(help: "The spec file.")
    var spec: String

    @Option(help: "The weights: a safetensors file with the tensors the spec declares.")
    var weights: String

    @Option(help: "The input batch: a .npy file.")
    var input: String

    @Option(help: "Where to write the output batch (.npy, float32).")
    var output: String?

    @Option(help: "Run the batch this many times and print the median time per batch.")
    var bench: Int?

    @Option(help: "Color diagnostics: auto (when printing to a terminal), always or never.")
    var color: ColorChoice = .auto

    func validate() throws {
        if output == nil && bench == nil { throw ValidationError("Missing '--output <output>' (or '--bench <n>').") }
        if let bench, bench < 1 { throw ValidationError("--bench needs a positive number of runs, not \(bench).") }
    }

    func run() throws {
        let graph = try validatedGraph(spec, color: color, failed: \.hasErrors)
        do {
            let interpreter = try Interpreter(
                graph: graph, weights: try SafeTensors.read(contentsOf: weights), weightsPath: weights)
            let batch = try NumPyArray.read(contentsOf: input)
            let result = try interpreter.run(batch, path: input)
            if let output { try NumPyArray.write(result, to: output) }
            if let bench { Terminal.write(benchmark(interpreter, batch, runs: bench), to: .standardOutput) }
        } catch {
            Terminal.write(error.description + "\n", to: .standardError)
            throw ExitCode.failure
        }
    }

    /// Times `runs` runs of one plan on the batch, after one warm-up run.
    private func benchmark(_ interpreter: Interpreter, _ input: Tensor, runs: Int) -> String {
        let size = input.shape.count == interpreter.graph.inputShape.rank ? 1 : input.shape[0]
        let plan = interpreter.plan(batch: size)
        var output = [Float](repeating: 0, count: size * (interpreter.graph.outputShape.elementCount ?? 0))
        var times: [UInt64] = []
        input.scalars.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in
                plan.run(input, into: output)
                for _ in 0..<runs {
                    let start = DispatchTime.now().uptimeNanoseconds
                    plan.run(input, into: output)
                    times.append(DispatchTime.now().uptimeNanoseconds - start)
                }
            }
        }
        times.sort()
        let median = times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
        return """
            batch: \(size)
            runs: \(runs)
            min_ns_per_batch: \(times[0])
            median_ns_per_batch: \(median)

            """
    }
}
