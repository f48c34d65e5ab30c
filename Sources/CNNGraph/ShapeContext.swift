import CNNSpec

/// What a shape rule needs to word its diagnostics: the layer's name and where its keys are.
struct ShapeContext {
    let name: String
    let layer: LayerSpec
    /// "input 28x28x1 → conv2d 26x26x32 → …", the shapes that led to this layer.
    let trace: String

    /// Where `key`'s value is, or the layer when the key is absent (a default was used).
    func location(of key: String) -> SourceLocation {
        layer.options.first { $0.key.value == key }?.value.location ?? layer.location
    }

    func tooLarge(_ what: String, at key: String? = nil) -> Diagnostic {
        Diagnostic.tooLarge(layer: name, what: what, at: key.map(location(of:)) ?? layer.location)
    }
}

/// One weight tensor a layer owns, with the safetensors key suffix and Keras's shape.
public struct WeightSpec: Hashable, Sendable {
    public var name: String
    public var shape: [Int]
    public var trainable: Bool

    /// Validated graphs hold only weights within `TensorShape.maximumElements`.
    public var elementCount: Int { TensorShape.product(shape) ?? Int.max }
}
