import Foundation
import Testing

@testable import CNNKernels

/// The rows left over after the six-row tiles (one to `rowTileLimit` of them) are computed by row
/// tiles, which must give bitwise what a six-row tile gives the same row, and the definition's
/// value.
@Suite struct RowTileTests {
    /// `dense` on the first `rows` rows of `input`, with a residual and a clamp.
    static func dense(
        rows: Int, input: [Float], inputs: Int, units: Int, residual: [Float], clamp: Clamp, seed: UInt64
    ) -> [Float] {
        let (weights, bias) = ThreadSplitTests.packed(depth: inputs, columns: units, seed: seed)
        let scratch = FloatStore(count: scratchStride(scratchCount(depth: inputs)))
        var output = [Float](repeating: .nan, count: rows * units)
        output.withUnsafeMutableBufferPointer { output in
            CNNKernels.dense(
                rows, input, output.baseAddress!, inputs: inputs, units: units, weights: weights.base, bias: bias.base,
                clamp: clamp, residual: residual, scratch: Scratch(scratch.base, stride: 0, parts: 1))
        }
        return output
    }

    // 8,000 units: weights past `prefetchThreshold`, fetched ahead panel by panel.
    @Test(arguments: [5, 16, 33, 64, 100, 130, 8000])
    func leftoverRowsMatchSixRowTilesBitForBit(units: Int) {
        let (inputs, all) = (37, 18)
        let input = ThreadSplitTests.values(all * inputs, seed: 7)
        let residual = ThreadSplitTests.values(all * units, seed: 8)
        for clamp in [Clamp.none, .relu, .relu6, .leakyRelu] {
            // 18 rows are three whole tiles: no row tile runs.
            let whole = Self.dense(
                rows: all, input: input, inputs: inputs, units: units, residual: residual, clamp: clamp, seed: 9)
            for rows in 1..<all {
                let part = Self.dense(
                    rows: rows, input: input, inputs: inputs, units: units, residual: residual, clamp: clamp, seed: 9)
                #expect(
                    part.map(\.bitPattern) == whole.prefix(rows * units).map(\.bitPattern),
                    "\(rows) rows of \(units) units, \(clamp)")
            }
            // And the definition: Σ x·w + bias + residual, clamped.
            let (weights, bias) = (
                ThreadSplitTests.values(inputs * units, seed: 9), ThreadSplitTests.values(units, seed: 10)
            )
            for row in 0..<all {
                for unit in 0..<units {
                    var sum = Double(bias[unit]) + Double(residual[row * units + unit])
                    for k in 0..<inputs { sum += Double(input[row * inputs + k]) * Double(weights[k * units + unit]) }
                    let expected = Float(
                        sum < 0 ? sum * Double(clamp.slope) : min(sum, Double(clamp.high)))
                    #expect(abs(whole[row * units + unit] - expected) <= 1e-5 * max(1, abs(expected)))
                }
            }
        }
    }

    /// A 7×7 image has 49 pixels, one past eight tiles: the 49th goes to a row tile, and must come
    /// out as it does when six images make whole tiles of every pixel.
    @Test func theLastPixelOfASevenBySevenImage() {
        let (size, channels, filters, images) = (7, 24, 40, 6)
        let input = ThreadSplitTests.values(images * size * size * channels, seed: 11)
        let (weights, bias) = ThreadSplitTests.packed(depth: 9 * channels, columns: filters, seed: 12)
        let scratch = FloatStore(count: scratchStride(scratchCount(depth: 9 * channels)))
        func convolve(_ batch: Int) -> [UInt32] {
            var output = [Float](repeating: .nan, count: batch * size * size * filters)
            output.withUnsafeMutableBufferPointer { output in
                convolution(
                    batch, input, output.baseAddress!, height: size, width: size, channels: channels,
                    outputHeight: size, outputWidth: size, filters: filters, kernel: (3, 3), strides: (1, 1),
                    dilation: (1, 1), padding: (1, 1), weights: weights.base, bias: bias.base, clamp: .relu,
                    scratch: Scratch(scratch.base, stride: 0, parts: 1))
            }
            return output.map(\.bitPattern)
        }
        let one = convolve(1)
        #expect(!one.contains { Float(bitPattern: $0).isNaN })
        #expect(one == Array(convolve(images).prefix(one.count)))
    }
}
