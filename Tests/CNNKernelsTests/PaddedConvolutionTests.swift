import Foundation
import Testing

@testable import CNNKernels

/// A convolution whose windows lose kernel taps to the padding runs as one product per area of
/// the output whose windows lose the same taps, skipping them (on one thread; split across
/// threads, it runs whole). It must give the bits the product of whole windows (the padding's zeros
/// multiplied) gives: the same sums of the same nonzero terms in the same order, each started at
/// +0, which adding a zero does not change; and so the same bits on any number of threads.
@Suite struct PaddedConvolutionTests {
    typealias Shape = ShallowConvolutionTests.Shape

    static let shapes: [Shape] = [
        // CIFAR VGG's second block, a ResNet stage's last 7×7, one row and one column, stride 2
        // (padding after only), a 1×3 kernel (columns only), filters past whole panels.
        Shape(height: 16, width: 16, channels: 8, filters: 40, kernel: (3, 3), same: true),
        Shape(height: 7, width: 7, channels: 24, filters: 70, kernel: (3, 3), same: true),
        Shape(height: 1, width: 9, channels: 16, filters: 16, kernel: (3, 3), same: true),
        Shape(height: 9, width: 1, channels: 16, filters: 33, kernel: (3, 3), same: true),
        Shape(height: 16, width: 12, channels: 12, filters: 32, kernel: (3, 3), strides: (2, 2), same: true),
        Shape(height: 5, width: 11, channels: 12, filters: 10, kernel: (1, 3), same: true),
        Shape(height: 8, width: 8, channels: 12, filters: 48, kernel: (2, 2), same: true),
    ]

    /// The convolution of `batch` images, through `convolution` or as one product of whole windows.
    static func convolve(
        _ s: Shape, batch: Int, parts: Int, input: [Float], weights: FloatStore, bias: FloatStore, clamp: Clamp,
        residual: [Float]?, whole: Bool = false
    ) -> [UInt32] {
        let residual = residual.map { values in
            let store = FloatStore(count: values.count)
            store.base.update(from: values, count: values.count)
            return store
        }
        return input.withUnsafeBufferPointer { input in
            let (input, residual) = (input.baseAddress!, residual.map { UnsafePointer($0.base) })
            return ThreadSplitTests.run(
                parts: parts, count: batch * s.outputHeight * s.outputWidth * s.filters,
                scratch: scratchCount(depth: s.depth)
            ) { output, scratch in
                if whole {
                    let patches = Patches(
                        input, height: s.height, width: s.width, channels: s.channels,
                        outputHeight: s.outputHeight, outputWidth: s.outputWidth, kernel: s.kernel,
                        strides: s.strides, dilation: (1, 1), padding: s.padding)
                    multiply(
                        rows: patches.rows(batch: batch), depth: s.depth, columns: s.filters, source: patches,
                        weights: weights.base, bias: bias.base, clamp: clamp, residual: residual, output: output,
                        scratch: scratch)
                } else {
                    convolution(
                        batch, input, output, height: s.height, width: s.width, channels: s.channels,
                        outputHeight: s.outputHeight, outputWidth: s.outputWidth, filters: s.filters,
                        kernel: s.kernel, strides: s.strides, dilation: (1, 1), padding: s.padding,
                        weights: weights.base, bias: bias.base, clamp: clamp, residual: residual, scratch: scratch)
                }
            }
        }
    }

    @Test(arguments: shapes)
    func areasGiveTheWholeWindowsBits(shape: Shape) {
        #expect(
            !isShallow(
                width: shape.width, channels: shape.channels, outputWidth: shape.outputWidth, kernel: shape.kernel,
                strides: shape.strides, dilation: (1, 1)), "\(shape) runs as products")
        for batch in [1, 4] {
            let input = ThreadSplitTests.values(batch * shape.height * shape.width * shape.channels, seed: 31)
            let residual = ThreadSplitTests.values(
                batch * shape.outputHeight * shape.outputWidth * shape.filters, seed: 32)
            let (weights, bias) = ThreadSplitTests.packed(depth: shape.depth, columns: shape.filters, seed: 33)
            for (clamp, residual) in [(Clamp.none, nil), (.relu, residual), (.relu6, nil), (.leakyRelu, residual)] {
                let whole = Self.convolve(
                    shape, batch: batch, parts: 1, input: input, weights: weights, bias: bias, clamp: clamp,
                    residual: residual, whole: true)
                let areas = Self.convolve(
                    shape, batch: batch, parts: 1, input: input, weights: weights, bias: bias, clamp: clamp,
                    residual: residual)
                #expect(!areas.contains { Float(bitPattern: $0).isNaN }, "\(shape): every output written")
                let differing = zip(areas, whole).filter { $0 != $1 }.count
                #expect(differing == 0, "\(shape), batch \(batch), \(clamp): \(differing) outputs differ")
                for parts in [2, 3] {
                    let split = Self.convolve(
                        shape, batch: batch, parts: parts, input: input, weights: weights, bias: bias, clamp: clamp,
                        residual: residual)
                    #expect(split == areas, "\(shape), batch \(batch), \(clamp), \(parts) parts")
                }
            }
        }
    }

    @Test func areasOfAThreeByThreeSameConvolution() {
        let ranges = tapRanges(outputs: 8, size: 8, kernel: 3, stride: 1, pad: 1)
        #expect(ranges?.map(\.0) == [0..<1, 1..<7, 7..<8])
        #expect(ranges?.map(\.1) == [1..<3, 0..<3, 0..<2])
        // Stride 2 over 16: Keras pads one after, none before.
        let strided = tapRanges(outputs: 8, size: 16, kernel: 3, stride: 2, pad: 0)
        #expect(strided?.map(\.0) == [0..<7, 7..<8])
        #expect(strided?.map(\.1) == [0..<3, 0..<2])
        // No padding: one area of every tap.
        #expect(tapRanges(outputs: 6, size: 8, kernel: 3, stride: 1, pad: 0)?.map(\.1) == [0..<3])
        // A window wholly in the padding keeps no tap.
        #expect(tapRanges(outputs: 3, size: 1, kernel: 3, stride: 1, pad: 3) == nil)
    }

    /// Splitting pays where the taps skipped outweigh the weights swept once more per area.
    @Test func splitOnlyWhereItPays() {
        func areas(_ batch: Int, _ size: Int) -> Int? {
            paddingAreas(
                batch: batch, height: size, width: size, outputHeight: size, outputWidth: size, kernel: (3, 3),
                strides: (1, 1), padding: (1, 1))?.count
        }
        // ResNet-50's last stage at batch 1: 80 taps skipped against 8 more sweeps of 9 taps, twice.
        #expect(areas(1, 7) == nil)
        #expect(areas(2, 7) == 9)
        #expect(areas(1, 14) == 9)
        #expect(areas(16, 8) == 9)
        // No padding, or a 5×5 window's five kinds of rows: one product.
        #expect(
            paddingAreas(
                batch: 8, height: 8, width: 8, outputHeight: 6, outputWidth: 6, kernel: (3, 3), strides: (1, 1),
                padding: (0, 0)) == nil)
        #expect(
            paddingAreas(
                batch: 8, height: 8, width: 8, outputHeight: 8, outputWidth: 8, kernel: (5, 5), strides: (1, 1),
                padding: (2, 2)) == nil)
    }
}
