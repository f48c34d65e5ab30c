import CNNFormats
import CNNInterpreter
import TestSupport
import Testing

/// Batches of any size, in chunks through one arena, give each sample what it gets alone.
@Suite struct ExecutionPlanTests {
    let layers = """
          - {type: conv2d, name: c, filters: 3, kernel_size: 2, activation: tanh}
          - {type: conv2d, name: d, filters: 3, kernel_size: 1, inputs: [input]}
          - {type: max_pool2d, name: p, inputs: [d]}
          - {type: concatenate, inputs: [c, p]}
          - {type: flatten}
          - {type: dense, name: out, units: 4, activation: softmax}

        """
    let weights: [String: Tensor] = [
        "c.kernel": Tensor(shape: [2, 2, 2, 3], scalars: randomScalars(24, seed: 1)),
        "c.bias": Tensor(shape: [3], scalars: randomScalars(3, seed: 2)),
        "d.kernel": Tensor(shape: [1, 1, 2, 3], scalars: randomScalars(6, seed: 3)),
        "d.bias": Tensor(shape: [3], scalars: randomScalars(3, seed: 4)),
        "out.kernel": Tensor(shape: [6, 4], scalars: randomScalars(24, seed: 5)),
        "out.bias": Tensor(shape: [4], scalars: randomScalars(4, seed: 6)),
    ]

    @Test func largeBatchRunsInChunksAndMatchesSamples() throws {
        let samples = 600
        let input = Tensor(shape: [samples, 2, 2, 2], scalars: randomScalars(samples * 8, seed: 9))
        let interpreter = try Interpreter(
            graph: graph(input: [2, 2, 2], layers), weights: weights, weightsPath: "w.safetensors")
        #expect(interpreter.plan(batch: samples).chunk < samples)
        let batched = try interpreter.run(input)
        #expect(batched.shape == [samples, 4])
        for sample in [0, 255, 256, 599] {
            let one = Tensor(shape: [2, 2, 2], scalars: Array(input.scalars[sample * 8..<(sample + 1) * 8]))
            let alone = try interpreter.run(one)
            #expect(
                tensorMismatch(
                    Tensor(shape: [1, 4], scalars: Array(batched.scalars[sample * 4..<(sample + 1) * 4])), alone) == nil
            )
        }
    }

    @Test func emptyBatchGivesEmptyOutput() throws {
        let interpreter = try Interpreter(
            graph: graph(input: [2, 2, 2], layers), weights: weights, weightsPath: "w.safetensors")
        #expect(try interpreter.run(Tensor(zeros: [0, 2, 2, 2])) == Tensor(zeros: [0, 4]))
    }
}

/// A plan on several threads: whole samples per thread, the rest with the layers split across
/// them; bitwise the output of one thread, for batches smaller than, equal to and not a multiple of
/// the threads.
@Suite struct ThreadedPlanTests {
    /// Every kind of kernel that splits, with a convolution large enough to split at batch 1.
    let layers = """
          - {type: conv2d, name: c1, filters: 64, kernel_size: 3, padding: same, activation: relu}
          - {type: depthwise_conv2d, name: dw, kernel_size: 3, padding: same}
          - {type: batch_norm, name: bn}
          - {type: conv2d, name: c2, filters: 64, kernel_size: 1}
          - {type: add, name: sum, inputs: [c1, c2]}
          - {type: activation, activation: gelu}
          - {type: max_pool2d}
          - {type: separable_conv2d, filters: 32, kernel_size: 3, padding: same, activation: swish}
          - {type: conv2d_transpose, filters: 8, kernel_size: 2, strides: 2}
          - {type: global_avg_pool2d}
          - {type: dense, units: 10, activation: softmax}

        """

    @Test func anyNumberOfThreadsGivesTheSameBits() throws {
        let graph = try graph(input: [16, 16, 32], layers)
        var weights: [String: Tensor] = [:]
        for (index, node) in graph.nodes.enumerated() {
            for weight in node.weights {
                let values = randomScalars(weight.shape.reduce(1, *), seed: UInt64(index * 10 + weight.name.count))
                weights["\(node.name).\(weight.name)"] = Tensor(
                    shape: weight.shape, scalars: values.map { weight.name == "moving_variance" ? 1 + $0 / 2 : $0 / 2 })
            }
        }
        let interpreter = try Interpreter(graph: graph, weights: weights, weightsPath: "w.safetensors")
        for batch in [1, 2, 5] {
            let input = Tensor(shape: [batch, 16, 16, 32], scalars: randomScalars(batch * 16 * 16 * 32, seed: 7))
            let one = try interpreter.run(input, threads: 1).scalars.map(\.bitPattern)
            for threads in [2, 3, 8] {
                #expect(interpreter.plan(batch: batch, threads: threads).threads == threads)
                let many = try interpreter.run(input, threads: threads).scalars.map(\.bitPattern)
                #expect(many == one, "batch \(batch), \(threads) threads")
            }
        }
    }
}
