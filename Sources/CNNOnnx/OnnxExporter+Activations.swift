import CNNGraph

extension OnnxExporter {
    /// Keras 3's SELU constants (ONNX's defaults differ in the last digits).
    static let seluAlpha: Float = 1.6732632423543772848170429916717
    static let seluScale: Float = 1.0507009873554804934193349852946

    /// `x` through `activation`, as Keras 3 defines it, in nodes of the current layer. Softmax is
    /// over the channels, which are axis 1 of both [N, C, H, W] and [N, F].
    mutating func activate(_ x: String, _ activation: Activation) -> String {
        switch activation {
        case .linear: return x
        case .relu: return emit("Relu", [x])
        case .relu6: return emit("Clip", [x, constant("min", 0), constant("max", 6)])
        case .leakyRelu: return emit("LeakyRelu", [x], [.float("alpha", 0.2)])
        case .elu: return emit("Elu", [x], [.float("alpha", 1)])
        case .selu: return emit("Selu", [x], [.float("alpha", Self.seluAlpha), .float("gamma", Self.seluScale)])
        case .gelu:
            // x · (1 + erf(x / √2)) / 2, the exact form (ONNX's own Gelu needs operator set 20).
            let scaled = emit("Mul", [x, constant("inverse_sqrt2", Float(0.5.squareRoot()))])
            let shifted = emit("Add", [emit("Erf", [scaled]), constant("one", 1)])
            return emit("Mul", [emit("Mul", [x, shifted]), constant("half", 0.5)])
        case .sigmoid: return emit("Sigmoid", [x])
        case .hardSigmoid:
            // relu6(x + 3) / 6 = max(0, min(1, x / 6 + 1 / 2)).
            return emit("HardSigmoid", [x], [.float("alpha", 1 / 6), .float("beta", 0.5)])
        case .tanh: return emit("Tanh", [x])
        case .softmax: return emit("Softmax", [x], [.int("axis", 1)])
        case .softplus: return emit("Softplus", [x])
        case .softsign: return emit("Softsign", [x])
        case .swish: return emit("Mul", [x, emit("Sigmoid", [x])])
        }
    }

    /// A `relu` or `leaky_relu` layer that is not one of the activations, as Keras's `relu`
    /// computes it: x·[x > threshold] (or relu(x) without a threshold), clipped to [0, max_value],
    /// minus negative_slope · relu(threshold − x); a plain leaky relu without a cap or threshold.
    mutating func relu(_ op: ReLU, _ x: String) -> String {
        let slope = Float(op.negativeSlope)
        let threshold = Float(op.threshold)
        if op.maxValue == nil && threshold == 0 && slope != 0 {
            return emit("LeakyRelu", [x], [.float("alpha", slope)])
        }
        var cut: String?
        var y: String
        if threshold == 0 {
            // A cap clips at 0 too.
            y = op.maxValue == nil ? emit("Relu", [x]) : x
        } else {
            let threshold = constant("threshold", threshold)
            y = emit("Where", [emit("Greater", [x, threshold]), x, constant("zero", 0)])
            cut = threshold
        }
        if let maxValue = op.maxValue {
            y = emit("Clip", [y, constant("min", 0), constant("max", Float(maxValue))])
        }
        guard slope != 0 else { return y }
        // Keras's negative part: relu(threshold − x), or relu(−x) without a threshold.
        let negative = emit("Relu", [cut.map { emit("Sub", [$0, x]) } ?? emit("Neg", [x])])
        return emit("Sub", [y, emit("Mul", [negative, constant("negative_slope", slope)])])
    }
}
