import CNNSpec

/// `max_pool2d` and `avg_pool2d`: `MaxPooling2D`, `AveragePooling2D`.
///
/// pool_size defaults to 2 and strides to pool_size. Output: the window rule of `Window2D`, channels
/// unchanged. With `same`, average pooling divides by the number of cells inside the input only.
public struct Pool2D: Hashable, Sendable {
    public var window: Window2D

    static func read(_ reader: inout OptionReader) -> Pool2D? {
        Window2D.read(&reader, kernelKey: "pool_size", dilated: false).map(Pool2D.init)
    }

    func outputShape(_ input: TensorShape, _ context: ShapeContext) throws(Diagnostic) -> TensorShape {
        let size = try window.checkedOutputSize(input, context, kernelKey: "pool_size", what: "pool window")
        return TensorShape([size.height, size.width, input.channels])
    }
}
