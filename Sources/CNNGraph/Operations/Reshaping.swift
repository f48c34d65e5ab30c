import CNNSpec

/// `flatten`: `Flatten`, row-major over height, width, channels; a rank-1 input passes unchanged.
/// `global_avg_pool2d`, `global_max_pool2d`: [H, W, C] to [C], or [1, 1, C] with `keepdims`.
enum Reshaping {
    static func flatten(_ input: TensorShape, _ context: ShapeContext) throws(Diagnostic) -> TensorShape {
        guard let count = input.elementCount else { throw context.tooLarge("the flattened output") }
        return TensorShape([count])
    }

    static func globalPool(_ input: TensorShape, keepdims: Bool) -> TensorShape {
        TensorShape(keepdims ? [1, 1, input.channels] : [input.channels])
    }
}
