/// `batch_norm`: `BatchNormalization` at inference, over the last axis:
/// y = gamma · (x − moving_mean) / sqrt(moving_variance + epsilon) + beta.
///
/// Weights: gamma, beta (trainable), moving_mean, moving_variance (not), each [channels].
public struct BatchNorm: Hashable, Sendable {
    public var epsilon: Double

    static func read(_ reader: inout OptionReader) -> BatchNorm? {
        reader.number("epsilon")
            .map(BatchNorm.init)
    }

    func weights(_ input: TensorShape) -> [WeightSpec] {
        [
            WeightSpec(name: "gamma", shape: [input.channels], trainable: true),
            WeightSpec(name: "beta", shape: [input.channels], trainable: true),
            WeightSpec(name: "moving_mean", shape: [input.channels], trainable: false),
            WeightSpec(name: "moving_variance", shape: [input.channels], trainable: false),
        ]
    }
}
