import CNNSpec

/// `zero_padding2d`: `ZeroPadding2D`. Output: (top + H + bottom) x (left + W + right) x C.
extension Padding2D {
    func outputShape(_ input: TensorShape, _ context: ShapeContext) throws(Diagnostic) -> TensorShape {
        let height = input.height.addingReportingOverflow(top).partialValue.addingReportingOverflow(bottom)
        let width = input.width.addingReportingOverflow(left).partialValue.addingReportingOverflow(right)
        guard !height.overflow, !width.overflow, TensorShape.product([height.partialValue, width.partialValue, input.channels]) != nil
        else { throw context.tooLarge("the padded output", at: "padding") }
        return TensorShape([height.partialValue, width.partialValue, input.channels])
    }
}
