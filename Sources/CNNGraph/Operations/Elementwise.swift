import CNNSpec

/// `relu` and `leaky_relu` layers (`ReLU`, `LeakyReLU`) that are not one of the activations:
/// y = max_value where x ≥ max_value, x where threshold ≤ x < max_value, and
/// negative_slope · (x − threshold) below the threshold. The common forms read as activations
/// (`relu`, `relu6`, `leaky_relu` with slope 0.2), which a convolution before them absorbs.
/// Output: the input's shape.
public struct ReLU: Hashable, Sendable {
    public var maxValue: Double?
    public var negativeSlope: Double
    public var threshold: Double

    /// `relu`: max_value (none), negative_slope (0), threshold (0), none negative.
    static func readReLU(_ reader: inout OptionReader) -> Operation? {
        var maxValue: Double?
        if let value = reader.value("max_value"), !OptionReader.isNull(value) {
            maxValue = reader.number("max_value")
            if maxValue == nil { return nil }
        }
        let slope = reader.number("negative_slope")
        let threshold = reader.number("threshold")
        guard let slope, let threshold else { return nil }
        return ReLU(maxValue: maxValue, negativeSlope: slope, threshold: threshold).operation
    }

    /// `leaky_relu`: negative_slope (0.3, Keras's default for the layer).
    static func readLeakyReLU(_ reader: inout OptionReader) -> Operation? {
        reader.number("negative_slope")
            .map { ReLU(maxValue: nil, negativeSlope: $0, threshold: 0).operation }
    }

    /// The activation this is, when it is one; otherwise a layer of its own.
    var operation: Operation {
        switch (maxValue, negativeSlope, threshold) {
        case (nil, 0, 0): .activation(.relu)
        case (6, 0, 0): .activation(.relu6)
        case (nil, 0.2, 0): .activation(.leakyRelu)
        default: .relu(self)
        }
    }
}

/// `rescaling`: `Rescaling`, y = x · scale + offset. Output: the input's shape.
public struct Rescaling: Hashable, Sendable {
    public var scale: Double
    public var offset: Double

    static func read(_ reader: inout OptionReader) -> Rescaling? {
        let scale = reader.number("scale")
        let offset = reader.number("offset")
        guard let scale, let offset else { return nil }
        return Rescaling(scale: scale, offset: offset)
    }
}

/// `normalization`: `Normalization` on the last axis, y = (x − mean) / max(√variance, 1e-7).
/// `mean` and `variance` are a number for every channel or a list of one per channel; without
/// them they come from the weights file as `<name>.mean` and `<name>.variance` [channels].
/// Output: the input's shape. Parameters (as Keras counts them): 2·channels + 1 from the weights
/// file (mean, variance and the sample count), none inline.
public struct Normalization: Hashable, Sendable {
    /// Inline values, or nil when the weights file holds them.
    public var mean: [Double]?
    public var variance: [Double]?

    static func read(_ reader: inout OptionReader) -> Normalization? {
        let mean = reader.numbers("mean")
        let variance = reader.numbers("variance")
        switch (reader.value("mean"), reader.value("variance")) {
        case (nil, nil): return Normalization()
        case (.some, .some):
            guard let mean, let variance else { return nil }
            return Normalization(mean: mean, variance: variance)
        case (.some, nil), (nil, .some):
            reader.reportFailure(.unpairedNormalization(at: reader.layer.location))
            return nil
        }
    }

    func outputShape(_ input: TensorShape, _ context: ShapeContext) throws(Diagnostic) -> TensorShape {
        for (key, values) in [("mean", mean), ("variance", variance)] {
            guard let values, values.count != 1, values.count != input.channels else { continue }
            throw Diagnostic.normalizationLength(
                key: key, count: values.count, channels: input.channels, layer: context.name,
                at: context.location(of: key))
        }
        return input
    }

    func weights(_ input: TensorShape) -> [WeightSpec] {
        guard mean == nil else { return [] }
        return [
            WeightSpec(name: "mean", shape: [input.channels], trainable: false),
            WeightSpec(name: "variance", shape: [input.channels], trainable: false),
        ]
    }

    /// The inline values, one per channel, or nil when the weights file holds them.
    public func inlineValues(channels: Int) -> (mean: [Float], variance: [Float])? {
        guard let mean, let variance else { return nil }
        func perChannel(_ values: [Double]) -> [Float] {
            values.count == 1 ? Array(repeating: Float(values[0]), count: channels) : values.map(Float.init)
        }
        return (perChannel(mean), perChannel(variance))
    }
}
