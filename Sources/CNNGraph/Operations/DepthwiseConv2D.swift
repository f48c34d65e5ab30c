import CNNSpec

/// `depthwise_conv2d`: `keras.layers.DepthwiseConv2D`, channels last.
///
/// Output: the window rule of `Window2D`, in·depth_multiplier channels (channel c·mult + m comes
/// from input channel c). Weights: kernel [kh, kw, in, mult], bias [in·mult].
/// Multiply-adds: outH·outW·in·mult·kh·kw.
public struct DepthwiseConv2D: Hashable, Sendable {
    public var depthMultiplier: Int
    public var window: Window2D
    public var activation: Activation
    public var useBias: Bool

    static func read(_ reader: inout OptionReader) -> DepthwiseConv2D? {
        let window = Window2D.read(&reader, kernelKey: "kernel_size", dilated: true)
        let multiplier = reader.integer("depth_multiplier")
        let activation = reader.activation()
        let useBias = reader.boolean("use_bias")
        guard let window, let multiplier, let activation else { return nil }
        return DepthwiseConv2D(depthMultiplier: multiplier, window: window, activation: activation, useBias: useBias)
    }

    func outputShape(_ input: TensorShape, _ context: ShapeContext) throws(Diagnostic) -> TensorShape {
        let size = try window.checkedOutputSize(input, context, kernelKey: "kernel_size", what: "kernel")
        guard let channels = TensorShape.product([input.channels, depthMultiplier]) else {
            throw context.tooLarge("\(input.channels)·\(depthMultiplier) output channels", at: "depth_multiplier")
        }
        return TensorShape([size.height, size.width, channels])
    }

    func weights(_ input: TensorShape) -> [WeightSpec] {
        let kernel = WeightSpec(
            name: "kernel", shape: [window.kernel.height, window.kernel.width, input.channels, depthMultiplier], trainable: true)
        guard useBias else { return [kernel] }
        return [kernel, WeightSpec(name: "bias", shape: [input.channels * depthMultiplier], trainable: true)]
    }

    func macs(_ input: TensorShape, _ output: TensorShape) -> Int {
        output.height * output.width * input.channels * depthMultiplier * window.kernel.height * window.kernel.width
    }
}
