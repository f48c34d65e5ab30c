import CNNFormats
import Foundation
import Testing
import TestSupport

/// Each kernel on a case small enough to compute by hand.
@Suite struct KernelTests {
    let ones3x3 = ["conv2d.kernel": tensor([3, 3, 1, 1], Array(repeating: 1, count: 9)), "conv2d.bias": tensor([1], [0])]

    @Test func convolutionSamePaddingCountsOnlyCellsInside() throws {
        let output = try run(
            input: tensor([1, 3, 3, 1], Array(repeating: 1, count: 9)),
            "  - {type: conv2d, filters: 1, kernel_size: 3, padding: same}\n", weights: ones3x3)
        #expect(output == tensor([1, 3, 3, 1], [4, 6, 4, 6, 9, 6, 4, 6, 4]))
    }

    @Test func convolutionStrideThree() throws {
        let output = try run(
            input: tensor([1, 5, 5, 1]), "  - {type: conv2d, filters: 1, kernel_size: 2, strides: 3}\n",
            weights: ["conv2d.kernel": tensor([2, 2, 1, 1], [1, 1, 1, 1]), "conv2d.bias": tensor([1], [0.5])])
        #expect(output == tensor([1, 2, 2, 1], [12.5, 24.5, 72.5, 84.5]))
    }

    @Test func convolutionDilationTwo() throws {
        let output = try run(
            input: tensor([1, 5, 5, 1]), "  - {type: conv2d, filters: 1, kernel_size: 2, dilation_rate: 2}\n",
            weights: ["conv2d.kernel": tensor([2, 2, 1, 1], [1, 1, 1, 1]), "conv2d.bias": tensor([1], [0])])
        #expect(output == tensor([1, 3, 3, 1], [24, 28, 32, 44, 48, 52, 64, 68, 72]))
    }

    @Test func convolutionMixesChannelsAndFusesRelu() throws {
        // Two input channels, two filters: filter 0 sums the channels, filter 1 subtracts them.
        let output = try run(
            input: tensor([1, 1, 2, 2], [1, 2, 3, 5]),
            "  - {type: conv2d, filters: 2, kernel_size: 1, activation: relu}\n",
            weights: ["conv2d.kernel": tensor([1, 1, 2, 2], [1, 1, 1, -1]), "conv2d.bias": tensor([2], [0, 0.5])])
        #expect(output == tensor([1, 1, 2, 2], [3, 0, 8, 0]))
    }

    @Test func averagePoolSameDividesByCellsInside() throws {
        let output = try run(input: tensor([1, 3, 3, 1], [1, 2, 3, 4, 5, 6, 7, 8, 9]), "  - {type: avg_pool2d, padding: same}\n")
        #expect(output == tensor([1, 2, 2, 1], [3, 4.5, 7.5, 9]))
    }

    @Test func maxPoolSameAndStride() throws {
        let output = try run(input: tensor([1, 3, 3, 1], [1, 2, 3, 4, 5, 6, 7, 8, 9]), "  - {type: max_pool2d, padding: same}\n")
        #expect(output == tensor([1, 2, 2, 1], [5, 6, 8, 9]))
        let strided = try run(
            input: tensor([1, 3, 3, 1], [1, 9, 3, 4, 5, 6, 7, 8, 2]),
            "  - {type: max_pool2d, pool_size: 2, strides: 1}\n")
        #expect(strided == tensor([1, 2, 2, 1], [9, 9, 8, 8]))
    }

    @Test func softmaxOfLargeLogitsDoesNotOverflow() throws {
        let output = try run(
            input: tensor([2, 3], [1000, 0, -1000, 500, 500, -1e30]),
            "  - {type: activation, activation: softmax}\n")
        #expect(output.scalars.allSatisfy { $0.isFinite })
        #expect(tensorMismatch(output, tensor([2, 3], [1, 0, 0, 0.5, 0.5, 0]), absolute: 1e-30, relative: 1e-6) == nil)
    }

    @Test func depthwiseWithMultiplierTwo() throws {
        // Channel 0 → outputs 0 and 1, channel 1 → outputs 2 and 3; the kernel is 1x2.
        let output = try run(
            input: tensor([1, 1, 2, 2], [1, 10, 2, 20]),
            "  - {type: depthwise_conv2d, kernel_size: [1, 2], depth_multiplier: 2}\n",
            weights: [
                "depthwise_conv2d.kernel": tensor([1, 2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]),
                "depthwise_conv2d.bias": tensor([4], [0, 0, 0, 1]),
            ])
        // out[c·2+m] = in[0][c]·k[0][c][m] + in[1][c]·k[1][c][m]
        #expect(output == tensor([1, 1, 1, 4], [1 + 10, 2 + 12, 30 + 140, 40 + 160 + 1]))
    }

    @Test func batchNormUsesMovingStatistics() throws {
        let output = try run(
            input: tensor([1, 1, 1, 2], [3, 3]), "  - {type: batch_norm, epsilon: 1.0e-30}\n",
            weights: [
                "batch_norm.gamma": tensor([2], [2, 1]), "batch_norm.beta": tensor([2], [1, 0]),
                "batch_norm.moving_mean": tensor([2], [1, 3]), "batch_norm.moving_variance": tensor([2], [4, 1]),
            ])
        #expect(output == tensor([1, 1, 1, 2], [3, 0]))
    }

    @Test func zeroPaddingAsymmetric() throws {
        let output = try run(input: tensor([1, 1, 2, 1], [1, 2]), "  - {type: zero_padding2d, padding: [[1, 0], [0, 1]]}\n")
        #expect(output == tensor([1, 2, 3, 1], [0, 0, 0, 1, 2, 0]))
    }

    @Test func globalPools() throws {
        let input = tensor([1, 2, 2, 2], [1, -1, 2, -2, 3, -3, 6, -6])
        #expect(try run(input: input, "  - {type: global_avg_pool2d}\n") == tensor([1, 2], [3, -3]))
        #expect(try run(input: input, "  - {type: global_max_pool2d}\n") == tensor([1, 2], [6, -1]))
    }

    @Test func denseFlattensRowMajor() throws {
        let output = try run(
            input: tensor([2, 1, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]), "  - {type: flatten}\n  - {type: dense, units: 1}\n",
            weights: ["dense.kernel": tensor([4, 1], [1, 10, 100, 1000]), "dense.bias": tensor([1], [0.5])])
        #expect(output == tensor([2, 1], [4321.5, 8765.5]))
    }

    @Test func addAndConcatenate() throws {
        let input = tensor([1, 1, 1, 2], [1, 2])
        let added = try run(
            input: input, "  - {type: activation, name: a, activation: relu}\n  - {type: add, inputs: [input, a]}\n")
        #expect(added == tensor([1, 1, 1, 2], [2, 4]))
        let joined = try run(
            input: input, "  - {type: activation, name: a, activation: linear}\n  - {type: concatenate, inputs: [a, input, a]}\n")
        #expect(joined == tensor([1, 1, 1, 6], [1, 2, 1, 2, 1, 2]))
    }

    @Test func activationsMatchKerasDefinitions() throws {
        let x: [Float] = [-2, -0.5, 0, 0.5, 2, 8]
        let (scale, alpha): (Float, Float) = (1.0507009873554805, 1.6732632423543772)
        let expected: [String: (Float) -> Float] = [
            "relu": { max($0, 0) }, "relu6": { min(max($0, 0), 6) }, "leaky_relu": { $0 < 0 ? 0.2 * $0 : $0 },
            "elu": { $0 < 0 ? expm1($0) : $0 },
            "selu": { $0 > 0 ? scale * $0 : scale * alpha * expm1($0) },
            "gelu": { 0.5 * $0 * (1 + erf($0 / Float(2).squareRoot())) }, "sigmoid": { 1 / (1 + exp(-$0)) },
            "hard_sigmoid": { min(max($0 + 3, 0), 6) / 6 }, "tanh": { tanh($0) }, "softplus": { log(1 + exp($0)) },
            "softsign": { $0 / (1 + abs($0)) }, "swish": { $0 / (1 + exp(-$0)) }, "silu": { $0 / (1 + exp(-$0)) },
            "linear": { $0 },
        ]
        for (name, function) in expected {
            let output = try run(input: tensor([1, 6], x), "  - {type: activation, activation: \(name)}\n")
            #expect(tensorMismatch(output, tensor([1, 6], x.map(function))) == nil)
        }
    }
}
