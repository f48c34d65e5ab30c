import CNNFormats
import CNNGraph

extension OnnxExporter {
    /// ONNX's `pads` ([top, left, bottom, right]) for a window: none for `valid`; for `same`,
    /// TensorFlow's split of what ceil(in / stride) outputs need, the smaller half on top and left.
    func pads(_ window: Window2D, input: TensorShape) -> [Int] {
        guard window.padding == .same else { return [0, 0, 0, 0] }
        let extent = window.effectiveKernel
        let rows = OnnxImporter.sameSplit(size: input.height, window: extent.height, stride: window.strides.height)
        let columns = OnnxImporter.sameSplit(size: input.width, window: extent.width, stride: window.strides.width)
        return [rows.before, columns.before, rows.after, columns.after]
    }

    /// The attributes of a Conv over `window`; `group` 1 unless given.
    func convolutionAttributes(_ window: Window2D, input: TensorShape, group: Int = 1) -> [Onnx_AttributeProto] {
        [
            .ints("kernel_shape", [window.kernel.height, window.kernel.width]),
            .ints("strides", [window.strides.height, window.strides.width]),
            .ints("dilations", [window.dilation.height, window.dilation.width]),
            .ints("pads", pads(window, input: input)),
            .int("group", group),
        ]
    }

    /// Keras's kernel [kh, kw, in, out] as ONNX's [out, in, kh, kw].
    static func convolutionKernel(_ kernel: Tensor) -> (dims: [Int], values: [Float]) {
        let dims = [kernel.shape[3], kernel.shape[2], kernel.shape[0], kernel.shape[1]]
        return (dims, OnnxImporter.permuted(kernel.scalars, dims: kernel.shape, order: [3, 2, 0, 1]))
    }

    /// A depthwise kernel [kh, kw, C, mult] as ONNX's [C·mult, 1, kh, kw]: output channel
    /// c·mult + m is kernel[.., c, m], as Keras orders them.
    static func depthwiseKernel(_ kernel: Tensor) -> (dims: [Int], values: [Float]) {
        let (kh, kw, channels, multiplier) = (kernel.shape[0], kernel.shape[1], kernel.shape[2], kernel.shape[3])
        let values = OnnxImporter.permuted(kernel.scalars, dims: kernel.shape, order: [2, 3, 0, 1])
        return ([channels * multiplier, 1, kh, kw], values)
    }

    /// `conv2d`: Conv with explicit pads, then its activation.
    mutating func convolution(_ op: Conv2D, _ node: GraphNode) throws(FileFormatError) -> String {
        let x = input(node)
        let shape = graph.shape(of: node.inputs[0])
        var operands = [x, try weight("kernel", node, as: Self.convolutionKernel)]
        if op.useBias { operands.append(try weight("bias", node)) }
        let y = emit("Conv", operands, convolutionAttributes(op.window, input: shape))
        return activate(y, op.activation)
    }

    /// `depthwise_conv2d`: Conv with one group per input channel.
    mutating func depthwiseConvolution(_ op: DepthwiseConv2D, _ node: GraphNode) throws(FileFormatError) -> String {
        let x = input(node)
        let shape = graph.shape(of: node.inputs[0])
        var operands = [x, try weight("kernel", node, as: Self.depthwiseKernel)]
        if op.useBias { operands.append(try weight("bias", node)) }
        let y = emit("Conv", operands, convolutionAttributes(op.window, input: shape, group: shape.channels))
        return activate(y, op.activation)
    }

    /// `separable_conv2d`: the depthwise step (no bias), then a 1×1 Conv with the bias and the
    /// activation.
    mutating func separableConvolution(_ op: SeparableConv2D, _ node: GraphNode) throws(FileFormatError) -> String {
        let x = input(node)
        let shape = graph.shape(of: node.inputs[0])
        let depthwise = emit(
            "Conv", [x, try weight("depthwise_kernel", node, as: Self.depthwiseKernel)],
            convolutionAttributes(op.window, input: shape, group: shape.channels))
        var operands = [depthwise, try weight("pointwise_kernel", node, as: Self.convolutionKernel)]
        if op.useBias { operands.append(try weight("bias", node)) }
        let pointwise = Window2D(kernel: Size2D(1, 1), strides: Size2D(1, 1), padding: .valid)
        let y = emit("Conv", operands, convolutionAttributes(pointwise, input: node.outputShape))
        return activate(y, op.activation)
    }

    /// `conv2d_transpose`: ConvTranspose, whose full result has (in − 1)·s + k rows. Keras keeps
    /// in·s + max(k − s, 0) of them (`valid`) or in·s from (k − s) / 2 on (`same`): when k < s
    /// both add s − k rows of bias alone at the end (`output_padding`); when k ≥ s, `same` cuts
    /// k − s rows, the smaller half at the top (`pads`).
    mutating func transposedConvolution(_ op: Conv2DTranspose, _ node: GraphNode) throws(FileFormatError) -> String {
        let x = input(node)
        // Keras's [kh, kw, filters, in] is ONNX's [in, filters, kh, kw].
        var operands = [
            x,
            try weight("kernel", node) { kernel in
                (
                    [kernel.shape[3], kernel.shape[2], kernel.shape[0], kernel.shape[1]],
                    OnnxImporter.permuted(kernel.scalars, dims: kernel.shape, order: [3, 2, 0, 1])
                )
            },
        ]
        if op.useBias { operands.append(try weight("bias", node)) }
        var before = [0, 0]
        var after = [0, 0]
        var extra = [0, 0]
        for (axis, (kernel, stride)) in [(op.kernel.height, op.strides.height), (op.kernel.width, op.strides.width)]
            .enumerated()
        {
            if kernel < stride {
                extra[axis] = stride - kernel
            } else if op.padding == .same {
                before[axis] = (kernel - stride) / 2
                after[axis] = kernel - stride - before[axis]
            }
        }
        var attributes: [Onnx_AttributeProto] = [
            .ints("kernel_shape", [op.kernel.height, op.kernel.width]),
            .ints("strides", [op.strides.height, op.strides.width]),
            .ints("pads", before + after),
        ]
        if extra != [0, 0] { attributes.append(.ints("output_padding", extra)) }
        let y = emit("ConvTranspose", operands, attributes)
        return activate(y, op.activation)
    }
}
