import CNNFormats
import CNNInterpreter
import Testing
import TestSupport

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
            #expect(tensorMismatch(Tensor(shape: [1, 4], scalars: Array(batched.scalars[sample * 4..<(sample + 1) * 4])), alone) == nil)
        }
    }

    @Test func emptyBatchGivesEmptyOutput() throws {
        let interpreter = try Interpreter(
            graph: graph(input: [2, 2, 2], layers), weights: weights, weightsPath: "w.safetensors")
        #expect(try interpreter.run(Tensor(zeros: [0, 2, 2, 2])) == Tensor(zeros: [0, 4]))
    }
}
