import CNNSpec

/// `separable_conv2d`: `keras.layers.SeparableConv2D`, channels last: a depthwise convolution
/// without bias or activation, then a 1×1 convolution (the pointwise step) with both.
///
/// Output: the window rule of `Window2D` on height and width, `filters` channels; the depthwise
/// step in between has in·depth_multiplier channels (channel c·mult + m from input channel c).
/// Weights: depthwise_kernel [kh, kw, in, mult], pointwise_kernel [1, 1, in·mult, filters], bias
/// [filters]. Multiply-adds: outH·outW·in·mult·kh·kw + outH·outW·in·mult·filters.
public struct SeparableConv2D: Hashable, Sendable {
    public var filters: Int
    public var depthMultiplier: Int
    public var window: Window2D
    public var activation: Activation
    public var useBias: Bool

    static func read(_ reader: inout OptionReader) -> SeparableConv2D? {
        let filters = reader.integer("filters")
        let window = Window2D.read(&reader, kernelKey: "kernel_size", dilated: true)
        let multiplier = reader.integer("depth_multiplier")
        let activation = reader.activation()
        let useBias = reader.boolean("use_bias")
        guard let filters, let window, let multiplier, let activation else { return nil }
        return SeparableConv2D(
            filters: filters, depthMultiplier: multiplier, window: window, activation: activation, useBias: useBias)
    }

    func outputShape(_ input: TensorShape, _ context: ShapeContext) throws(Diagnostic) -> TensorShape {
        let size = try window.checkedOutputSize(input, context, kernelKey: "kernel_size", what: "kernel")
        // The depthwise step's output is a tensor too, held while the pointwise step reads it.
        guard TensorShape.product([size.height, size.width, input.channels, depthMultiplier]) != nil else {
            throw context.tooLarge(
                "the depthwise step's \(size.height)x\(size.width)x(\(input.channels)·\(depthMultiplier)) output",
                at: "depth_multiplier")
        }
        return TensorShape([size.height, size.width, filters])
    }

    /// Channels between the two steps: in·depth_multiplier.
    public func intermediateChannels(_ input: TensorShape) -> Int { input.channels * depthMultiplier }

    func weights(_ input: TensorShape) -> [WeightSpec] {
        let channels = intermediateChannels(input)
        let weights = [
            WeightSpec(
                name: "depthwise_kernel",
                shape: [window.kernel.height, window.kernel.width, input.channels, depthMultiplier], trainable: true),
            WeightSpec(name: "pointwise_kernel", shape: [1, 1, channels, filters], trainable: true),
        ]
        return useBias ? weights + [WeightSpec(name: "bias", shape: [filters], trainable: true)] : weights
    }

    func macs(_ input: TensorShape, _ output: TensorShape) -> Int {
        let pixels = output.height * output.width * intermediateChannels(input)
        return pixels * window.kernel.height * window.kernel.width + pixels * filters
    }
}
