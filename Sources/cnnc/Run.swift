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
            for one sample. --threads N runs it on N threads (default: all cores), with the same result \
            as one thread. --bench N runs the batch N times (on one thread unless --threads is given) and \
            prints 'median_ns_per_batch: <integer>' as the last line; --output is then optional. \
            --profile (with --bench) first prints a table of each layer's median time over those runs, \
            its share of the batch and its GFLOP/s.
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

    @Flag(help: "With --bench: print each layer's median time, share and GFLOP/s.")
    var profile = false

    @Option(help: "Threads to run on (default: all cores; with --bench, one). The result is the same for any number.")
    var threads: Int?

    @Option(help: "Color diagnostics: auto (when printing to a terminal), always or never.")
    var color: ColorChoice = .auto

    func validate() throws {
        if output == nil && bench == nil { throw ValidationError("Missing '--output <output>' (or '--bench <n>').") }
        if let bench, bench < 1 { throw ValidationError("--bench needs a positive number of runs, not \(bench).") }
        if profile && bench == nil { throw ValidationError("--profile times the --bench runs: add '--bench <n>'.") }
        if let threads, threads < 1 {
            throw ValidationError("--threads needs a positive number of threads, not \(threads).")
        }
    }

    func run() throws {
        let graph = try validatedGraph(spec, color: color, failed: \.hasErrors)
        do {
            let interpreter = try Interpreter(
                graph: graph, weights: try SafeTensors.read(contentsOf: weights), weightsPath: weights)
            let batch = try NumPyArray.read(contentsOf: input)
            let samples = try interpreter.batchSize(of: batch, path: input)
            // One plan serves the output and every timed run.
            let plan = interpreter.plan(batch: samples, threads: threadCount)
            var result = Tensor(zeros: [samples] + graph.outputShape.dimensions)
            var times: [UInt64] = []
            // Per run, each graph node's time (zero for folded nodes), when profiling.
            var layerTimes: [[UInt64]] = []
            batch.scalars.withUnsafeBufferPointer { batch in
                result.scalars.withUnsafeMutableBufferPointer { result in
                    plan.run(batch, into: result)
                    var runTimes = [UInt64](repeating: 0, count: profile ? graph.nodes.count : 0)
                    for _ in 0..<(bench ?? 0) {
                        let start = DispatchTime.now().uptimeNanoseconds
                        if profile {
                            runTimes.withUnsafeMutableBufferPointer { runTimes in
                                runTimes.update(repeating: 0)
                                plan.run(batch, into: result, layerTimes: runTimes)
                            }
                        } else {
                            plan.run(batch, into: result)
                        }
                        times.append(DispatchTime.now().uptimeNanoseconds - start)
                        if profile { layerTimes.append(runTimes) }
                    }
                }
            }
            if let output { try NumPyArray.write(result, to: output) }
            if profile {
                let table = LayerProfile(graph: graph, steps: plan.steppedNodes, runs: layerTimes, batch: samples)
                Terminal.write(table.rendered(), to: .standardOutput)
            }
            if bench != nil { Terminal.write(report(times, batch: samples), to: .standardOutput) }
        } catch {
            Terminal.write(error.description + "\n", to: .standardError)
            throw ExitCode.failure
        }
    }

    /// The threads to run on: `--threads`, else one for `--bench` (a timing that does not depend on
    /// the machine's other work) and all cores otherwise.
    private var threadCount: Int {
        threads ?? (bench == nil ? ProcessInfo.processInfo.activeProcessorCount : 1)
    }

    /// The benchmark lines, `median_ns_per_batch` last; the first run (the output's) warmed up.
    private func report(_ times: [UInt64], batch: Int) -> String {
        """
        batch: \(batch)
        threads: \(threadCount)
        runs: \(times.count)
        min_ns_per_batch: \(times.min() ?? 0)
        median_ns_per_batch: \(median(times))

        """
    }
}
