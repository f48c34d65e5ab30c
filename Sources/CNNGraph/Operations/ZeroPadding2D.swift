import CNNSpec

/// `zero_padding2d`: `ZeroPadding2D`. Output: (top + H + bottom) x (left + W + right) x C.
extension Padding2D {
    func outputShape(_ input: TensorShape, _ context: ShapeContext) throws(Diagnostic) -> TensorShape {
        // Each term is below Int.max / 2 or the output would not fit anyway.
        let limit = Int.max / 4
        guard top < limit, bottom < limit, left < limit, right < limit else {
            throw context.tooLarge("the padded output", at: "padding")
        }
        let output = TensorShape([top + input.height + bottom, left + input.width + right, input.channels])
        guard output.elementCount != nil else { throw context.tooLarge("the padded output", at: "padding") }
        return output
    }
}
