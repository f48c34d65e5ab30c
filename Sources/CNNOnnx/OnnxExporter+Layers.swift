import CNNFormats
import CNNGraph

extension OnnxExporter {
    // MARK: Pooling, padding, resampling

    /// `max_pool2d` (MaxPool pads with −∞) and `avg_pool2d` (AveragePool without counting the
    /// padded cells, as Keras's `same` averages).
    mutating func pool(_ opType: String, _ pool: Pool2D, _ node: GraphNode) -> String {
        let x = input(node)
        let window = pool.window
        var attributes: [Onnx_AttributeProto] = [
            .ints("kernel_shape", [window.kernel.height, window.kernel.width]),
            .ints("strides", [window.strides.height, window.strides.width]),
            .ints("pads", pads(window, input: graph.shape(of: node.inputs[0]))),
        ]
        if opType == "AveragePool" { attributes.append(.int("count_include_pad", 0)) }
        return emit(opType, [x], attributes)
    }

    /// `global_avg_pool2d`, `global_max_pool2d`: [N, C, 1, 1], flattened to [N, C] without keepdims.
    mutating func globalPool(_ opType: String, keepdims: Bool, _ node: GraphNode) -> String {
        let y = emit(opType, [input(node)])
        return keepdims ? y : emit("Flatten", [y], [.int("axis", 1)])
    }

    /// `zero_padding2d`: Pad with zeros, [top, left] before and [bottom, right] after.
    mutating func zeroPadding(_ padding: Padding2D, _ node: GraphNode) -> String {
        let x = input(node)
        let pads = integers("pads", [0, 0, padding.top, padding.left, 0, 0, padding.bottom, padding.right])
        return emit("Pad", [x, pads], [.string("mode", "constant")])
    }

    /// `cropping2d`: Slice of rows top..<H − bottom and columns left..<W − right.
    mutating func cropping(_ crop: Padding2D, _ node: GraphNode) -> String {
        let x = input(node)
        let shape = graph.shape(of: node.inputs[0])
        let starts = integers("starts", [crop.top, crop.left])
        let ends = integers("ends", [shape.height - crop.bottom, shape.width - crop.right])
        return emit("Slice", [x, starts, ends, integers("axes", [2, 3])])
    }

    /// `upsampling2d`: Resize by whole factors. `nearest` repeats pixel ⌊y / s⌋ (asymmetric
    /// coordinates, rounded down); `bilinear` interpolates at half-pixel centers, as Keras does.
    mutating func upsampling(_ op: UpSampling2D, _ node: GraphNode) -> String {
        let x = input(node)
        let scales = writer.floats(
            "\(layer)/scales", dims: [4], [1, 1, Float(op.size.height), Float(op.size.width)])
        let attributes: [Onnx_AttributeProto] =
            switch op.interpolation {
            case .nearest:
                [
                    .string("mode", "nearest"), .string("coordinate_transformation_mode", "asymmetric"),
                    .string("nearest_mode", "floor"),
                ]
            case .bilinear: [.string("mode", "linear"), .string("coordinate_transformation_mode", "half_pixel")]
            }
        return emit("Resize", [x, "", scales], attributes)
    }

    // MARK: Shapes

    /// `flatten`: a map in cnnc's channels-last order, flattened; a vector passes unchanged.
    mutating func flatten(_ node: GraphNode) -> String {
        guard graph.shape(of: node.inputs[0]).rank == 3 else { return input(node) }
        let x = rowMajor(node.inputs[0])
        layerStart = writer.nodeCount
        return emit("Flatten", [x], [.int("axis", 1)])
    }

    /// `reshape`: the input in cnnc's row-major order reshaped to [N, ...target]; a rank-3 target
    /// is then transposed to [N, C, H, W].
    mutating func reshape(_ node: GraphNode) -> String {
        let x = rowMajor(node.inputs[0])
        layerStart = writer.nodeCount
        // 0 keeps the batch axis as it is.
        let y = emit("Reshape", [x, integers("shape", [0] + node.outputShape.dimensions)])
        guard node.outputShape.rank == 3 else { return y }
        return emit("Transpose", [y], [.ints("perm", [0, 3, 1, 2])])
    }

    // MARK: Per-channel layers

    /// `dense`: Gemm of [N, in] and Keras's kernel [in, units] as it is, then the activation.
    mutating func dense(_ op: Dense, _ node: GraphNode) throws(FileFormatError) -> String {
        var operands = [input(node), try weight("kernel", node)]
        if op.useBias { operands.append(try weight("bias", node)) }
        return activate(emit("Gemm", operands), op.activation)
    }

    /// `batch_norm`: BatchNormalization at inference, over axis 1 (channels, or a vector's features).
    mutating func batchNormalization(_ op: BatchNorm, _ node: GraphNode) throws(FileFormatError) -> String {
        let x = input(node)
        var operands = [x]
        for key in ["gamma", "beta", "moving_mean", "moving_variance"] { operands.append(try weight(key, node)) }
        return emit("BatchNormalization", operands, [.float("epsilon", Float(op.epsilon))])
    }

    /// `rescaling`: x · scale + offset.
    mutating func rescaling(_ op: Rescaling, _ node: GraphNode) -> String {
        let y = emit("Mul", [input(node), constant("scale", Float(op.scale))])
        return op.offset == 0 ? y : emit("Add", [y, constant("offset", Float(op.offset))])
    }

    /// `normalization`: (x − mean) / max(√variance, 1e-7), per channel, the values inline or from
    /// the weights file. The divisor is computed here, in float32 as Keras computes it, and
    /// written as `<layer>/deviation`.
    mutating func normalization(_ op: Normalization, _ node: GraphNode) throws(FileFormatError) -> String {
        let x = input(node)
        let shape = graph.shape(of: node.inputs[0])
        let values: (mean: [Float], variance: [Float])
        if let inline = op.inlineValues(channels: shape.channels) {
            values = inline
        } else {
            values = (try tensor("mean", node).scalars, try tensor("variance", node).scalars)
        }
        let mean = perChannel("\(layer).mean", values.mean, rank: shape.rank)
        let deviation = perChannel(
            "\(layer)/deviation", values.variance.map { max($0.squareRoot(), 1e-7) }, rank: shape.rank)
        return emit("Div", [emit("Sub", [x, mean]), deviation])
    }

    // MARK: Merges

    /// `add` and the merges of any number of inputs, which broadcast size-1 axes as ONNX does.
    mutating func merge(_ node: GraphNode, _ opType: String) -> String {
        let operands = inputs(node)
        guard operands.count > 1 else { return operands[0] }
        if opType == "Add" && operands.count > 2 { return emit("Sum", operands) }
        return emit(opType, operands)
    }

    mutating func merge(_ kind: ElementwiseMerge, _ node: GraphNode) -> String {
        switch kind {
        case .subtract: return merge(node, "Sub")
        case .average: return merge(node, "Mean")
        case .maximum: return merge(node, "Max")
        case .minimum: return merge(node, "Min")
        case .multiply:
            // Mul takes two: a chain, left to right as Keras multiplies.
            let operands = inputs(node)
            return operands.dropFirst().reduce(operands[0]) { product, operand in emit("Mul", [product, operand]) }
        }
    }

    /// `concatenate`: Concat on axis 1, the channels of [N, C, H, W] and the features of [N, F].
    mutating func concatenate(_ node: GraphNode) -> String {
        let operands = inputs(node)
        guard operands.count > 1 else { return operands[0] }
        return emit("Concat", operands, [.int("axis", 1)])
    }
}
