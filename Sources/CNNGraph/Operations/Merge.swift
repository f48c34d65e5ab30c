import CNNSpec

/// The element-wise merges besides `add`: `Multiply`, `Subtract` (exactly two inputs), `Average`,
/// `Maximum`, `Minimum`.
public enum ElementwiseMerge: String, Hashable, Sendable {
    case multiply, subtract, average, maximum, minimum
}

/// `add` and the element-wise merges: inputs of one rank whose axes agree or are 1; a size-1 axis
/// is broadcast (an [H, W, C] times a [1, 1, C], as in squeeze-and-excitation blocks). Output: the
/// largest size on each axis.
/// `concatenate`: `Concatenate` on the last axis; every other axis must agree.
enum Merge {
    static func broadcast(
        _ inputs: [TensorShape], operation: String, names: [String], _ context: ShapeContext
    ) throws(Diagnostic) -> TensorShape {
        var output = inputs[0]
        for (index, shape) in inputs.enumerated().dropFirst() {
            let fits =
                shape.rank == output.rank
                && zip(shape.dimensions, output.dimensions).allSatisfy { $0 == $1 || $0 == 1 || $1 == 1 }
            guard fits else {
                throw Diagnostic.mergeMismatch(
                    operation: operation, detail: "of \(output) and \(shape)", layer: context.name,
                    at: context.layer.inputs?.location ?? context.layer.location
                ).noting(
                    "'\(names[0])' is \(inputs[0]), '\(names[index])' is \(shape); \(operation) needs equal sizes on each axis, "
                        + "or 1 where one is broadcast")
            }
            output.dimensions = zip(shape.dimensions, output.dimensions).map { max($0, $1) }
        }
        return output
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
