import CNNSpec

/// `add`: `Add`, element-wise sum of inputs of one shape.
/// `concatenate`: `Concatenate` on the last axis; every other axis must agree.
enum Merge {
    static func add(_ inputs: [TensorShape], names: [String], _ context: ShapeContext) throws(Diagnostic) -> TensorShape {
        let first = inputs[0]
        for (index, shape) in inputs.enumerated().dropFirst() where shape != first {
            throw Diagnostic.mergeMismatch(
                operation: "add", detail: "of \(first) and \(shape)", layer: context.name,
                at: context.layer.inputs?.location ?? context.layer.location
            ).noting("'\(names[0])' is \(first), '\(names[index])' is \(shape); add needs equal shapes")
        }
        return first
    }

    static func concatenate(_ inputs: [TensorShape], names: [String], _ context: ShapeContext) throws(Diagnostic) -> TensorShape {
        let first = inputs[0]
        var channels = 0
        for (index, shape) in inputs.enumerated() {
            guard shape.rank == first.rank, shape.dimensions.dropLast() == first.dimensions.dropLast() else {
                throw Diagnostic.mergeMismatch(
                    operation: "concatenate", detail: "of \(first) and \(shape)", layer: context.name,
                    at: context.layer.inputs?.location ?? context.layer.location
                ).noting("'\(names[0])' is \(first), '\(names[index])' is \(shape); concatenate joins the last axis, the others must agree")
            }
            let (sum, overflow) = channels.addingReportingOverflow(shape.channels)
            guard !overflow else { throw context.tooLarge("the concatenated channels") }
            channels = sum
        }
        var output = first
        output.dimensions[output.rank - 1] = channels
        guard output.elementCount != nil else { throw context.tooLarge("the concatenated output") }
        return output
    }
}
