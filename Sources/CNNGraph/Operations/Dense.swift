import CNNSpec

/// `dense`: `keras.layers.Dense` on a rank-1 input.
///
/// Output: [units]. Weights: kernel [in, units], bias [units]. Multiply-adds: in·units.
public struct Dense: Hashable, Sendable {
    public var units: Int
    public var activation: Activation
    public var useBias: Bool

    static func read(_ reader: inout OptionReader) -> Dense? {
        let units = reader.integer("units")
        let activation = reader.activation()
        let useBias = reader.boolean("use_bias")
        guard let units, let activation else { return nil }
        return Dense(units: units, activation: activation, useBias: useBias)
    }

    func weights(_ input: TensorShape) -> [WeightSpec] {
        let kernel = WeightSpec(name: "kernel", shape: [input.channels, units], trainable: true)
        return useBias ? [kernel, WeightSpec(name: "bias", shape: [units], trainable: true)] : [kernel]
    }
}
