import CNNSpec

/// `conv2d`: `keras.layers.Conv2D`, channels last.
///
/// Output: the window rule of `Window2D` on height and width, `filters` channels.
/// Weights: kernel [kh, kw, in, filters], bias [filters]. Multiply-adds: outH·outW·filters·kh·kw·in.
public struct Conv2D: Hashable, Sendable {
    public var filters: Int
    public var window: Window2D
    public var activation: Activation
    public var useBias: Bool

    static func read(_ reader: inout OptionReader) -> Conv2D? {
        let filters = reader.integer("filters")
        let window = Window2D.read(&reader, kernelKey: "kernel_size", dilated: true)
        let activation = reader.activation()
        let useBias = reader.boolean("use_bias")
        guard let filters, let window, let activation else { return nil }
        return Conv2D(filters: filters, window: window, activation: activation, useBias: useBias)
    }

    func outputShape(_ input: TensorShape, _ context: ShapeContext) throws(Diagnostic) -> TensorShape {
        let size = try window.checkedOutputSize(input, context, kernelKey: "kernel_size", what: "kernel")
        return TensorShape([size.height, size.width, filters])
    }

    func weights(_ input: TensorShape) -> [WeightSpec] {
        let kernel = WeightSpec(name: "kernel", shape: [window.kernel.height, window.kernel.width, input.channels, filters], trainable: true)
        return useBias ? [kernel, WeightSpec(name: "bias", shape: [filters], trainable: true)] : [kernel]
    }

    func macs(_ input: TensorShape, _ output: TensorShape) -> Int {
        output.height * output.width * filters * window.kernel.height * window.kernel.width * input.channels
    }
}

extension Window2D {
    /// Reads kernel (or pool) size, strides, dilation and padding, with the layer type's defaults
    /// (a pool's strides default to its size), rejecting strides > 1 together with dilation > 1
    /// as Keras does.
    static func read(_ reader: inout OptionReader, kernelKey: String, dilated: Bool) -> Window2D? {
        let kernel = reader.size2D(kernelKey)
        // A pool_size that failed to read is reported already; its strides are not missing too.
        let strides = reader.size2D("strides", otherwise: kernel ?? Size2D(1, 1))
        let dilation = dilated ? reader.size2D("dilation_rate") : Size2D(1, 1)
        let padding = reader.padding()
        guard let kernel, let strides, let dilation else { return nil }
        if max(strides.height, strides.width) > 1 && max(dilation.height, dilation.width) > 1 {
            reader.reportStridedDilation(strides: strides, dilation: dilation)
            return nil
        }
        return Window2D(kernel: kernel, strides: strides, dilation: dilation, padding: padding)
    }

    /// The output size, or the diagnostic for a window that does not fit a `valid` input.
    func checkedOutputSize(_ input: TensorShape, _ context: ShapeContext, kernelKey: String, what: String) throws(Diagnostic) -> Size2D {
        let inputSize = Size2D(input.height, input.width)
        let output = outputSize(input: inputSize)
        guard output.height >= 1, output.width >= 1 else {
            throw Diagnostic.kernelTooLarge(
                what: what, kernel: kernel, effective: effectiveKernel, input: inputSize, layer: context.name,
                at: context.location(of: kernelKey)
            ).noting(context.trace)
        }
        return output
    }
}
