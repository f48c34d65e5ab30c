import CNNSpec

/// `cropping2d`: `Cropping2D`. Output: (H − top − bottom) x (W − left − right) x C, each at least 1.
enum Cropping {
    static func outputShape(_ crop: Padding2D, _ input: TensorShape, _ context: ShapeContext) throws(Diagnostic) -> TensorShape {
        let (rows, columns) = (crop.top + crop.bottom, crop.left + crop.right)
        // Each term was read as an Int; their sums cannot exceed a feature map unless they overflow.
        guard crop.top < Int.max / 2, crop.bottom < Int.max / 2, crop.left < Int.max / 2, crop.right < Int.max / 2,
            rows < input.height, columns < input.width
        else {
            throw Diagnostic.croppingTooLarge(
                crop, input: input, layer: context.name, at: context.location(of: "cropping")
            ).noting(context.trace)
        }
        return TensorShape([input.height - rows, input.width - columns, input.channels])
    }
}

/// `upsampling2d`: `UpSampling2D`, each pixel repeated (`nearest`) or interpolated (`bilinear`,
/// half-pixel centers as Keras's resize). Output: (H·sh) x (W·sw) x C.
public struct UpSampling2D: Hashable, Sendable {
    public enum Interpolation: String, CaseIterable, Sendable {
        case nearest, bilinear
    }

    public var size: Size2D
    public var interpolation: Interpolation

    static func read(_ reader: inout OptionReader) -> UpSampling2D? {
        let size = reader.size2D("size")
        let interpolation = reader.choice("interpolation") as Interpolation?
        guard let size, let interpolation else { return nil }
        return UpSampling2D(size: size, interpolation: interpolation)
    }

    func outputShape(_ input: TensorShape, _ context: ShapeContext) throws(Diagnostic) -> TensorShape {
        let height = input.height.multipliedReportingOverflow(by: size.height)
        let width = input.width.multipliedReportingOverflow(by: size.width)
        guard !height.overflow, !width.overflow else { throw context.tooLarge("the upsampled output", at: "size") }
        return TensorShape([height.partialValue, width.partialValue, input.channels])
    }
}

/// `reshape`: `Reshape`, row-major as flatten. target_shape has rank 1 or 3, sizes positive but
/// at most one −1, which takes what is left. Output: the target, whose size must be the input's.
public struct Reshape: Hashable, Sendable {
    public var target: [Int]

    static func read(_ reader: inout OptionReader) -> Reshape? {
        reader.targetShape().map(Reshape.init)
    }

    func outputShape(_ input: TensorShape, _ context: ShapeContext) throws(Diagnostic) -> TensorShape {
        let count = input.elementCount ?? 0
        let known = target.filter { $0 != -1 }.reduce(1) { $0.multipliedReportingOverflow(by: $1).partialValue }
        var dimensions = target
        if let free = target.firstIndex(of: -1), known > 0, count % known == 0 {
            dimensions[free] = count / known
        }
        guard TensorShape.product(dimensions) == count, !dimensions.contains(-1) else {
            throw Diagnostic.reshapeSize(
                count: count, input: input, target: target, layer: context.name, at: context.location(of: "target_shape")
            ).noting(context.trace)
        }
        return TensorShape(dimensions)
    }
}
