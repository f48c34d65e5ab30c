import CNNGraph
import CNNKernels

/// A layer's weights as the kernels read them, converted once: the kernel packed in panels (or
/// flat), the bias zero-padded so that vector reads of a whole panel stay inside it.
struct PackedLayerWeights: Sendable {
    private let kernelStore: FloatStore
    private let biasStore: FloatStore

    var kernel: UnsafePointer<Float> { UnsafePointer(kernelStore.base) }
    var bias: UnsafePointer<Float> { UnsafePointer(biasStore.base) }

    /// A [rows, columns] row-major kernel for a matrix product, in panels (`packPanels`).
    init(kernel: [Float], rows: Int, columns: Int, bias: [Float]?) {
        precondition(kernel.count == rows * columns)
        kernelStore = FloatStore(count: packedCount(rows: rows, columns: columns))
        packPanels(kernel, rows: rows, columns: columns, into: kernelStore.base)
        biasStore = Self.padded(bias, count: columns)
    }

    /// A 3×3 kernel [3, 3, channels, filters] as Winograd's 16 matrices (`packWinograd`).
    init(winograd kernel: [Float], channels: Int, filters: Int, bias: [Float]?) {
        precondition(kernel.count == 9 * channels * filters)
        kernelStore = FloatStore(count: winogradPackedCount(channels: channels, filters: filters))
        packWinograd(kernel, channels: channels, filters: filters, into: kernelStore.base)
        biasStore = Self.padded(bias, count: filters)
    }

    /// A kernel read as it is (depthwise), with a bias of `channels`.
    init(flat kernel: [Float], bias: [Float]?, channels: Int) {
        kernelStore = FloatStore(count: kernel.count)
        kernelStore.base.update(from: kernel, count: kernel.count)
        biasStore = Self.padded(bias, count: channels)
    }

    /// `values` (zeros if nil) in whole 32-float panels.
    private static func padded(_ values: [Float]?, count: Int) -> FloatStore {
        let store = FloatStore(count: (count + 31) / 32 * 32)
        if let values { store.base.update(from: values, count: values.count) }
        return store
    }
}

/// Sizes of a windowed layer (convolution or pooling) with its padding resolved, as the kernels
/// take them.
struct WindowGeometry {
    let height, width, channels: Int
    let outputHeight, outputWidth: Int
    let kernel, strides, dilation: (Int, Int)
    let padding: (top: Int, left: Int)

    init(_ window: Window2D, input: TensorShape, output: TensorShape) {
        (height, width, channels) = (input.height, input.width, input.channels)
        (outputHeight, outputWidth) = (output.height, output.width)
        kernel = (window.kernel.height, window.kernel.width)
        strides = (window.strides.height, window.strides.width)
        dilation = (window.dilation.height, window.dilation.width)
        let padding = window.implicitPadding(input: Size2D(input.height, input.width))
        self.padding = (padding.top, padding.left)
    }

    /// The length of a patch: kh · kw · in.
    var depth: Int { kernel.0 * kernel.1 * channels }
}
