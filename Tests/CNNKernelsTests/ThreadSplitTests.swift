import Foundation
import Testing

@testable import CNNKernels

/// Every kernel that splits across threads gives bitwise the output of one thread, for 2, 3 and 8
/// parts (more than its layer has work for, in some cases), on shapes large enough to split.
@Suite struct ThreadSplitTests {
    /// Values in [-1, 1) from a fixed seed (a linear congruential generator: the same on every platform).
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 23) - 1
        }
    }

    /// `count` output floats from `kernel(output, scratch)` run with `parts` parts, each with a
    /// scratch region of `scratch` floats; the output starts as NaNs, so a value no part writes shows.
    static func run(
        parts: Int, count: Int, scratch: Int = 16, _ kernel: (UnsafeMutablePointer<Float>, Scratch) -> Void
    ) -> [UInt32] {
        let stride = scratchStride(scratch)
        let memory = FloatStore(count: parts * stride)
        var output = [Float](repeating: .nan, count: count)
        output.withUnsafeMutableBufferPointer {
            kernel($0.baseAddress!, Scratch(memory.base, stride: stride, parts: parts))
        }
        return output.map(\.bitPattern)
    }

    /// The kernel's output for 2, 3 and 8 parts against one part's, which must have no NaN left.
    static func expectSameForAnySplit(
        count: Int, scratch: Int = 16, _ kernel: (UnsafeMutablePointer<Float>, Scratch) -> Void,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let one = run(parts: 1, count: count, scratch: scratch, kernel)
        #expect(
            !one.contains { Float(bitPattern: $0).isNaN }, "one part left outputs unwritten",
            sourceLocation: sourceLocation)
        for parts in [2, 3, 8] {
            #expect(
                run(parts: parts, count: count, scratch: scratch, kernel) == one, "\(parts) parts",
                sourceLocation: sourceLocation)
        }
    }

    /// Packed weights [depth, columns] and a bias padded to whole panels.
    static func packed(depth: Int, columns: Int, seed: UInt64) -> (weights: FloatStore, bias: FloatStore) {
        let weights = FloatStore(count: packedCount(rows: depth, columns: columns))
        packPanels(values(depth * columns, seed: seed), rows: depth, columns: columns, into: weights.base)
        let bias = FloatStore(count: (columns + 31) / 32 * 32)
        bias.base.update(from: values(columns, seed: seed + 1), count: columns)
        return (weights, bias)
    }

    /// A 3×3 `same` convolution of one image, `size`² pixels of `channels` into `filters`, by
    /// Winograd's transform (`usesWinograd`) or not, as `winograd` says.
    static func convolve(size: Int, channels: Int, filters: Int, winograd: Bool) {
        #expect(
            usesWinograd(
                channels: channels, filters: filters, outputHeight: size, outputWidth: size, kernel: (3, 3),
                strides: (1, 1), dilation: (1, 1)) == winograd)
        let input = values(size * size * channels, seed: 1)
        var (weights, bias) = packed(depth: 9 * channels, columns: filters, seed: 2)
        if winograd {
            weights = FloatStore(count: winogradPackedCount(channels: channels, filters: filters))
            packWinograd(
                values(9 * channels * filters, seed: 2), channels: channels, filters: filters, into: weights.base)
        }
        let scratch =
            winograd ? winogradScratchCount(channels: channels, filters: filters) : scratchCount(depth: 9 * channels)
        #expect(size * size * 9 * channels * filters >= 4 * minimumProductWork, "large enough for four parts")
        expectSameForAnySplit(count: size * size * filters, scratch: scratch) {
            output, scratch in
            convolution(
                1, input, output, height: size, width: size, channels: channels, outputHeight: size, outputWidth: size,
                filters: filters, kernel: (3, 3), strides: (1, 1), dilation: (1, 1), padding: (1, 1),
                weights: weights.base, bias: bias.base, clamp: .relu, scratch: scratch)
        }
    }

    @Test func convolutionWithManyPixelsSplitsByRows() {
        Self.convolve(size: 32, channels: 24, filters: 40, winograd: false)
    }

    @Test func convolutionWithFewPixelsSplitsByPanels() {
        Self.convolve(size: 4, channels: 72, filters: 1000, winograd: false)
    }

    @Test func winogradConvolutionSplitsByTiles() {
        Self.convolve(size: 32, channels: 32, filters: 32, winograd: true)
        Self.convolve(size: 4, channels: 64, filters: 1024, winograd: true)
    }

    @Test func denseOfOneSampleSplitsByPanels() {
        let (inputs, units) = (512, 4100)
        let input = Self.values(2 * inputs, seed: 3)
        let (weights, bias) = Self.packed(depth: inputs, columns: units, seed: 4)
        Self.expectSameForAnySplit(count: 2 * units, scratch: scratchCount(depth: inputs)) { output, scratch in
            dense(
                2, input, output, inputs: inputs, units: units, weights: weights.base, bias: bias.base,
                clamp: .leakyRelu,
                scratch: scratch)
        }
    }

    @Test(arguments: [(3, 1, 1), (3, 2, 1), (5, 1, 1), (3, 1, 2)])
    func depthwiseSplitsByRows(kernel: Int, stride: Int, multiplier: Int) {
        let (size, channels) = (64 * stride, 64)
        let output = (size + stride - 1) / stride
        let input = Self.values(size * size * channels, seed: 5)
        let weights = Self.values(kernel * kernel * channels * multiplier, seed: 6)
        let bias = Self.values(channels * multiplier + 32, seed: 7)
        let padding = (
            max((output - 1) * stride + kernel - size, 0) / 2, max((output - 1) * stride + kernel - size, 0) / 2
        )
        Self.expectSameForAnySplit(count: output * output * channels * multiplier) { target, scratch in
            depthwise(
                1, input, target, height: size, width: size, channels: channels, multiplier: multiplier,
                outputHeight: output, outputWidth: output, kernel: (kernel, kernel), strides: (stride, stride),
                dilation: (1, 1), padding: padding, weights: weights, bias: bias, clamp: .relu6, parts: scratch.parts)
        }
    }

    @Test(arguments: [(16, 2, 2, false), (12, 3, 2, true)])
    func poolingSplitsByRows(channels: Int, window: Int, stride: Int, average: Bool) {
        let size = 128
        let output = (size + stride - 1) / stride
        let input = Self.values(size * size * channels, seed: 8)
        Self.expectSameForAnySplit(count: output * output * channels) { target, scratch in
            pool(
                1, input, target, average: average, height: size, width: size, channels: channels, outputHeight: output,
                outputWidth: output, window: (window, window), strides: (stride, stride),
                padding: ((window - stride) / 2, (window - stride) / 2), parts: scratch.parts)
        }
    }

    @Test func separableSplitsByBands() {
        let (size, channels, filters) = (64, 32, 64)
        let input = Self.values(size * size * channels, seed: 9)
        let depthwiseWeights = Self.values(9 * channels, seed: 10)
        let (pointwise, bias) = Self.packed(depth: channels, columns: filters, seed: 11)
        let scratch = separableScratchCount(outputHeight: size, outputWidth: size, channels: channels)
        Self.expectSameForAnySplit(count: size * size * filters, scratch: scratch) { output, scratch in
            separable(
                1, input, output, height: size, width: size, channels: channels, multiplier: 1, outputHeight: size,
                outputWidth: size, filters: filters, kernel: (3, 3), strides: (1, 1), dilation: (1, 1), padding: (1, 1),
                depthwiseWeights: depthwiseWeights, pointwiseWeights: pointwise.base, bias: bias.base, clamp: .none,
                scratch: scratch)
        }
    }

    @Test func elementWisePassesSplitByRuns() {
        let count = 200_001
        let (first, second) = (Self.values(count, seed: 12), Self.values(count, seed: 13))
        Self.expectSameForAnySplit(count: count) { output, scratch in
            add(count, first, second, output, parts: scratch.parts)
            accumulate(count, first, output, parts: scratch.parts)
        }
        let (scale, shift) = (Self.values(5, seed: 14), Self.values(5, seed: 15))
        Self.expectSameForAnySplit(count: count - 1) { output, scratch in
            scaleShift(count - 1, first, output, channels: 5, scale: scale, shift: shift, parts: scratch.parts)
        }
        for activation in [Activation.relu, .gelu, .softplus] {
            Self.expectSameForAnySplit(count: count) { output, scratch in
                output.update(from: first, count: count)
                activate(activation, output, count: count, channels: 1, parts: scratch.parts)
            }
        }
        Self.expectSameForAnySplit(count: count - 1) { output, scratch in
            output.update(from: first, count: count - 1)
            activate(.softmax, output, count: count - 1, channels: 10, parts: scratch.parts)
        }
    }

    @Test func zeroPaddingSplitsByRows() {
        let (height, width, channels) = (100, 90, 8)
        let input = Self.values(2 * height * width * channels, seed: 16)
        Self.expectSameForAnySplit(count: 2 * (height + 3) * (width + 5) * channels) { output, scratch in
            zeroPad(
                2, input, output, height: height, width: width, channels: channels, outputHeight: height + 3,
                outputWidth: width + 5, top: 1, left: 2, parts: scratch.parts)
        }
    }

    /// An activation from one buffer into another is the in-place one, bit for bit.
    @Test func activationIntoAnotherBufferIsTheInPlaceOne() {
        let count = 1_001
        let input = Self.values(count, seed: 17)
        for (activation, channels) in [(Activation.gelu, 1), (.softmax, 7), (.softplus, 1), (.linear, 1)] {
            let inPlace = Self.run(parts: 1, count: count) { output, scratch in
                output.update(from: input, count: count)
                activate(activation, output, count: count, channels: channels)
            }
            let copied = Self.run(parts: 1, count: count) { output, scratch in
                activate(activation, input, output, count: count, channels: channels)
            }
            #expect(copied == inPlace, "\(activation)")
        }
    }

    @Test func aBatchSplitsIntoWholeSamplesThenTheRest() {
        for (batch, threads) in [(7, 2), (7, 3), (3, 8), (1, 2), (8, 8), (0, 3)] {
            let memory = FloatStore(count: threads * 16)
            var seen = [Int](repeating: 0, count: batch)
            var lanes = Set<Int>()
            var splitParts: [Int] = []
            splitBatch(batch, scratch: Scratch(memory.base, stride: 16, parts: threads)) { lane, samples, scratch in
                // Calls may come from several threads at once: each records under the lock below.
                ThreadSplitTests.lock.withLock {
                    for sample in samples { seen[sample] += 1 }
                    lanes.insert(lane)
                    if scratch.parts > 1 { splitParts.append(scratch.parts) }
                }
            }
            #expect(seen.allSatisfy { $0 == 1 }, "batch \(batch), \(threads) threads: every sample once")
            #expect(lanes.max().map { $0 < laneCount(batch: batch, threads: threads) } ?? true)
            // The samples left after the whole shares run with the layers split across every thread.
            #expect(splitParts == (batch % threads == 0 ? [] : [threads]), "batch \(batch), \(threads) threads")
        }
    }

    static let lock = NSLock()
}
