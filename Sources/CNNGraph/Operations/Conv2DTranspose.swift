import CNNSpec

/// `conv2d_transpose`: `keras.layers.Conv2DTranspose`, channels last, without output_padding or
/// dilation. Input pixel (y, x) adds its tap (ky, kx) to output pixel
/// (y·sh − top + ky, x·sw − left + kx).
///
/// Output on each axis: `valid`: out = in·s + max(k − s, 0); `same`: out = in·s, with
/// max(k − s, 0) cells cut as TensorFlow pads a convolution, the smaller half at the top and left.
/// Weights: kernel [kh, kw, filters, in] (Keras's order), bias [filters].
/// Multiply-adds: inH·inW·kh·kw·filters·in.
public struct Conv2DTranspose: Hashable, Sendable {
    public var filters: Int
    public var kernel: Size2D
    public var strides: Size2D
    public var padding: Padding
    public var activation: Activation
    public var useBias: Bool

    static func read(_ reader: inout OptionReader) -> Conv2DTranspose? {
        let filters = reader.integer("filters")
        let kernel = reader.size2D("kernel_size")
        let strides = reader.size2D("strides")
        let padding = reader.padding()
        let activation = reader.activation()
        let useBias = reader.boolean("use_bias")
        guard let filters, let kernel, let strides, let activation else { return nil }
        return Conv2DTranspose(
            filters: filters, kernel: kernel, strides: strides, padding: padding, activation: activation, useBias: useBias)
    }

    /// The output's height and width, or nil when they overflow.
    public func outputSize(input: Size2D) -> Size2D? {
        func axis(_ size: Int, _ kernel: Int, _ stride: Int) -> Int? {
            let (product, overflow) = size.multipliedReportingOverflow(by: stride)
            guard !overflow else { return nil }
            let extra = padding == .valid ? max(kernel - stride, 0) : 0
            let (sum, carry) = product.addingReportingOverflow(extra)
            return carry ? nil : sum
        }
        guard let height = axis(input.height, kernel.height, strides.height),
            let width = axis(input.width, kernel.width, strides.width)
        else { return nil }
        return Size2D(height, width)
    }

    /// The cells of the full result cut from the top and left: max(k − s, 0) / 2 for `same`.
    public var cut: (top: Int, left: Int) {
        guard padding == .same else { return (0, 0) }
        return (max(kernel.height - strides.height, 0) / 2, max(kernel.width - strides.width, 0) / 2)
    }

    func outputShape(_ input: TensorShape, _ context: ShapeContext) throws(Diagnostic) -> TensorShape {
        guard let size = outputSize(input: Size2D(input.height, input.width)) else {
            throw context.tooLarge("the output", at: "strides")
        }
        return TensorShape([size.height, size.width, filters])
    }

    func weights(_ input: TensorShape) -> [WeightSpec] {
        let kernel = WeightSpec(
            name: "kernel", shape: [self.kernel.height, self.kernel.width, filters, input.channels], trainable: true)
        return useBias ? [kernel, WeightSpec(name: "bias", shape: [filters], trainable: true)] : [kernel]
    }

    func macs(_ input: TensorShape, _ output: TensorShape) -> Int {
        input.height * input.width * kernel.height * kernel.width * filters * input.channels
    }
}

extension OperationKind {
    /// Why a key Keras takes on this layer is not one of the spec's, for the unknown-key diagnostic.
    func note(forUnsupportedKey key: String) -> String? {
        guard self == .conv2DTranspose, key == "dilation_rate" || key == "output_padding" else { return nil }
        return "cnnc's conv2d_transpose has neither dilation nor output padding (Keras's has both); remove '\(key)'"
    }
}
