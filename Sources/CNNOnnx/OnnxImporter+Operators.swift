import CNNFormats
import CNNGraph
import Foundation

extension OnnxImporter {
    /// The operators the importer knows (of the default domain); others are named in the error.
    static let operators: Set<String> = [
        "Conv", "ConvTranspose", "BatchNormalization", "Relu", "LeakyRelu", "Clip", "Sigmoid", "HardSigmoid",
        "HardSwish", "Tanh", "Softplus", "Softsign", "Elu", "Selu", "Gelu", "Softmax", "MaxPool", "AveragePool",
        "GlobalAveragePool", "GlobalMaxPool", "Flatten", "Reshape", "Squeeze", "Unsqueeze", "Gemm", "MatMul",
        "Add", "Sub", "Mul", "Div", "Sum", "Mean", "Max", "Min", "Concat", "Resize", "Upsample", "Pad", "Identity",
        "Dropout", "Constant", "Shape", "Gather", "Cast", "ConstantOfShape", "Slice", "Transpose", "ReduceMean",
        "ReduceMax", "Erf",
    ]

    /// Operators the importer folds on constants only.
    static let constantsOnly: Set<String> = ["Gather", "ConstantOfShape"]

    static func unsupported(_ node: Onnx_NodeProto) -> String {
        node.domain.isDefaultDomain
            ? "\(node.opType) has no equivalent in a cnnc spec"
            : "operator \(node.opType) of domain '\(node.domain)' has no equivalent in a cnnc spec"
    }

    /// The values of a node's outputs, in order (fewer than its outputs when the rest are unused).
    mutating func importNode(_ node: Onnx_NodeProto) throws(ImportProblem) -> [Value] {
        guard node.domain.isDefaultDomain, Self.operators.contains(node.opType) else {
            throw ImportProblem(Self.unsupported(node))
        }
        switch node.opType {
        case "Identity", "Dropout":
            if node.opType == "Dropout", let mask = node.output.dropFirst().first, !mask.isEmpty, (uses[mask] ?? 0) > 0
            {
                throw ImportProblem("its mask output is read; a model at inference has no dropout mask")
            }
            return [try value(node, 0, channelsLast: true)]
        case "Constant": return [.constant(try constantAttribute(node))]
        case "Conv": return [.feature(try convolution(node))]
        case "ConvTranspose": return [.feature(try transposedConvolution(node))]
        case "BatchNormalization": return [.feature(try batchNormalization(node))]
        case "MaxPool", "AveragePool": return [.feature(try pool(node))]
        case "GlobalAveragePool", "GlobalMaxPool":
            let x = try map(node, 0)
            let type = node.opType == "GlobalAveragePool" ? "global_avg_pool2d" : "global_max_pool2d"
            return [
                .feature(
                    add(
                        type, inputs: [x.feature], fields: [("keepdims", .bool(true))],
                        layout: .map(height: 1, width: 1, channels: x.channels), nonNegative: x.feature.nonNegative))
            ]
        case "ReduceMean", "ReduceMax":
            // The mean or max over height and width: torch's x.mean([2, 3]).
            let x = try map(node, 0)
            let axes = try integers(node, attribute: "axes", input: 1) ?? []
            guard Set(axes.map { $0 < 0 ? $0 + 4 : $0 }) == [2, 3] else {
                throw ImportProblem(
                    "reduces axes \(axes); the spec's global pools reduce height and width (axes 2 and 3)")
            }
            let keepdims = node.int("keepdims", default: 1) == 1
            let type = node.opType == "ReduceMean" ? "global_avg_pool2d" : "global_max_pool2d"
            let layout: Layout =
                keepdims ? .map(height: 1, width: 1, channels: x.channels) : .vector(count: x.channels, flattened: nil)
            return [
                .feature(
                    add(
                        type, inputs: [x.feature], fields: keepdims ? [("keepdims", .bool(true))] : [], layout: layout,
                        nonNegative: x.feature.nonNegative))
            ]
        case "Flatten":
            let axis = node.int("axis", default: 1)
            guard axis == 1 else {
                throw ImportProblem("flattens from axis \(axis); cnnc flattens each sample (axis 1)")
            }
            return [try flatten(node, value: node.input.first ?? "")]
        case "Reshape": return [try reshape(node)]
        case "Squeeze", "Unsqueeze": return [try squeeze(node)]
        case "Gemm", "MatMul": return [.feature(try dense(node))]
        case "Add", "Sub", "Mul", "Div", "Sum", "Mean", "Max", "Min": return [try elementwise(node)]
        case "Concat": return [try concatenate(node)]
        case "Erf": return [try erf(node)]
        case "Relu": return [.feature(try activate(node, "relu"))]
        case "Sigmoid": return [.feature(try activate(node, "sigmoid"))]
        case "Tanh": return [.feature(try activate(node, "tanh"))]
        case "Softplus": return [.feature(try activate(node, "softplus"))]
        case "Softsign": return [.feature(try activate(node, "softsign"))]
        case "Elu":
            guard node.float("alpha", default: 1) == 1 else {
                throw ImportProblem("alpha other than 1 has no spec equivalent")
            }
            return [.feature(try activate(node, "elu"))]
        case "Selu":
            guard abs(node.float("alpha", default: 1.6732632) - 1.6732632) < 1e-6,
                abs(node.float("gamma", default: 1.050701) - 1.050701) < 1e-6
            else { throw ImportProblem("alpha and gamma other than SELU's own have no spec equivalent") }
            return [.feature(try activate(node, "selu"))]
        case "Gelu":
            guard node.string("approximate", default: "none") == "none" else {
                throw ImportProblem("the tanh approximation has no spec equivalent (the spec's gelu is exact)")
            }
            return [.feature(try activate(node, "gelu"))]
        case "HardSigmoid":
            guard abs(node.float("alpha", default: 0.2) - 1 / 6) < 1e-6, node.float("beta", default: 0.5) == 0.5 else {
                throw ImportProblem(
                    "alpha \(node.float("alpha", default: 0.2)), beta \(node.float("beta", default: 0.5)): the spec's hard_sigmoid is relu6(x + 3) / 6 (alpha 1/6, beta 0.5)"
                )
            }
            return [.feature(try activate(node, "hard_sigmoid"))]
        case "HardSwish":
            // x · hard_sigmoid(x): an activation layer and a multiply.
            let x = try feature(node, 0)
            let gate = add(
                "activation", inputs: [x], fields: [("activation", .string("hard_sigmoid"))], layout: x.layout,
                suffix: "gate")
            return [.feature(add("multiply", inputs: [x, gate], layout: x.layout))]
        case "LeakyRelu":
            let x = try feature(node, 0)
            let slope = node.float("alpha", default: 0.01)
            return [
                .feature(add("leaky_relu", inputs: [x], fields: [("negative_slope", .float(slope))], layout: x.layout))
            ]
        case "Clip": return [.feature(try clip(node))]
        case "Softmax": return [.feature(try softmax(node))]
        case "Pad": return [.feature(try pad(node))]
        case "Resize", "Upsample": return [.feature(try resize(node))]
        case "Transpose": return [try transpose(node)]
        case "Shape", "Gather", "Cast", "ConstantOfShape", "Slice": return [try fold(node)]
        default: throw ImportProblem(Self.unsupported(node))
        }
    }

    // MARK: Reading inputs

    /// Input `index` as it is, decoding an initializer. A channels-last map only when the caller
    /// reads one (`channelsLast`); for any other, it is an error.
    mutating func value(
        _ node: Onnx_NodeProto, _ index: Int, channelsLast: Bool = false
    ) throws(ImportProblem) -> Value {
        guard index < node.input.count, !node.input[index].isEmpty else {
            throw ImportProblem("input \(index + 1) is missing")
        }
        let name = node.input[index]
        switch values[name] {
        case .initializer(let position)?:
            var tensor = initializers[position]
            if tensor.dataLocation == .external { tensor = try file.loadingExternalData(tensor) }
            let constant = try Constant(tensor)
            reads[name, default: 0] += 1
            if reads[name]! >= (uses[name] ?? 0) {
                // The last reader has it: the protobuf's copy can go.
                initializers[position] = Onnx_TensorProto()
                values[name] = .unavailable(data: false)
            }
            return .constant(constant)
        case .channelsLast? where !channelsLast:
            throw ImportProblem(
                "reads '\(name)', a feature map in channels-last order [N, H, W, C]",
                note: "cnnc reads one through a Transpose to [N, C, H, W], a Flatten or a Reshape")
        case let value?: return value
        case nil: throw ImportProblem("reads '\(name)', which nothing provides")
        }
    }

    mutating func feature(_ node: Onnx_NodeProto, _ index: Int) throws(ImportProblem) -> Feature {
        switch try value(node, index) {
        case .feature(let feature): return feature
        case .gelu:
            throw ImportProblem(
                "reads part of gelu's erf form, x · 0.5 · (1 + erf(x / √2)), which the spec has only whole")
        default:
            throw ImportProblem(
                "its input '\(node.input[index])' is a constant; cnnc imports computations on the model's input")
        }
    }

    /// Input `index` as a feature map.
    mutating func map(_ node: Onnx_NodeProto, _ index: Int) throws(ImportProblem) -> (
        feature: Feature, height: Int, width: Int, channels: Int
    ) {
        let x = try feature(node, index)
        guard case .map(let height, let width, let channels) = x.layout else {
            throw ImportProblem("reads a vector where cnnc needs an [N, C, H, W] feature map")
        }
        return (x, height, width, channels)
    }

    mutating func constant(_ node: Onnx_NodeProto, _ index: Int) throws(ImportProblem) -> Constant {
        guard case .constant(let constant) = try value(node, index) else {
            throw ImportProblem(
                "input \(index + 1) ('\(node.input[index])') must be a constant, an initializer of the model")
        }
        return constant
    }

    mutating func optionalConstant(_ node: Onnx_NodeProto, _ index: Int) throws(ImportProblem) -> Constant? {
        guard index < node.input.count, !node.input[index].isEmpty else { return nil }
        return try constant(node, index)
    }

    /// Integers from an attribute (older operator sets) or a constant input (newer ones).
    mutating func integers(_ node: Onnx_NodeProto, attribute: String, input: Int) throws(ImportProblem) -> [Int]? {
        if let values = node.ints(attribute) { return values }
        guard let constant = try optionalConstant(node, input) else { return nil }
        guard let integers = constant.integers else { throw ImportProblem("input \(input + 1) must hold integers") }
        return integers
    }

    /// Two positive sizes from an attribute, or `default`.
    func pair(_ node: Onnx_NodeProto, _ key: String, default value: Int) throws(ImportProblem) -> [Int] {
        let values = node.ints(key) ?? [value, value]
        guard values.count == 2, values.allSatisfy({ $0 >= 1 && $0 <= 1 << 16 }) else {
            throw ImportProblem("\(key) \(values): cnnc needs two sizes between 1 and 65536")
        }
        return values
    }

    // MARK: Activations

    /// `activation` of input 0: the activation of the layer that computes it when that layer has
    /// none and nothing else reads it, or an activation layer.
    mutating func activate(_ node: Onnx_NodeProto, _ activation: String) throws(ImportProblem) -> Feature {
        let x = try feature(node, 0)
        return activate(x, value: node.input[0], activation)
    }

    mutating func activate(_ x: Feature, value: String, _ activation: String) -> Feature {
        let nonNegative = ["relu", "relu6", "sigmoid", "hard_sigmoid", "softmax", "softplus"].contains(activation)
        if let index = foldableLayer(of: x, value: value), Self.activated.contains(layers[index].type),
            layers[index]["activation"] == nil
        {
            layers[index]["activation"] = .string(activation)
            layers[index].origins.append(origin)
            return Feature(layer: x.layer, layout: x.layout, nonNegative: nonNegative)
        }
        return add(
            "activation", inputs: [x], fields: [("activation", .string(activation))], layout: x.layout,
            nonNegative: nonNegative)
    }

    /// Layers with an `activation` option.
    static let activated: Set<String> = ["conv2d", "depthwise_conv2d", "dense", "separable_conv2d", "conv2d_transpose"]

    mutating func clip(_ node: Onnx_NodeProto) throws(ImportProblem) -> Feature {
        let x = try feature(node, 0)
        var low = -Float.infinity
        var high = Float.infinity
        if opset < 11 {
            low = node.float("min", default: low)
            high = node.float("max", default: high)
        } else {
            if let bound = try optionalConstant(node, 1) { low = bound.floats.first ?? low }
            if let bound = try optionalConstant(node, 2) { high = bound.floats.first ?? high }
        }
        guard low == 0 else { throw ImportProblem("clips below at \(low); the spec's relu layers clip at 0") }
        if high == 6 { return activate(x, value: node.input[0], "relu6") }
        if high == .infinity { return activate(x, value: node.input[0], "relu") }
        return add("relu", inputs: [x], fields: [("max_value", .float(high))], layout: x.layout, nonNegative: true)
    }

    mutating func softmax(_ node: Onnx_NodeProto) throws(ImportProblem) -> Feature {
        let x = try feature(node, 0)
        let axis = node.int("axis", default: opset < 13 ? 1 : -1)
        switch x.layout {
        case .vector:
            guard axis == 1 || axis == -1 else { throw ImportProblem("softmax over axis \(axis) of a vector") }
            return activate(x, value: node.input[0], "softmax")
        case .map(let height, let width, _):
            // Before operator set 13 the axis flattens what follows it; over channels alone only
            // when the map is 1 × 1.
            guard axis == 1, opset >= 13 || height * width == 1 else {
                throw ImportProblem(
                    "softmax over axis \(axis) of an [N, C, H, W] map; the spec's softmax is over channels (axis 1)")
            }
            return add("softmax", inputs: [x], layout: x.layout, nonNegative: true)
        }
    }

    // MARK: Convolutions

    /// Pads [top, left, bottom, right] from `auto_pad` or `pads`.
    func windowPads(
        _ node: Onnx_NodeProto, size: [Int], window: [Int], strides: [Int]
    ) throws(ImportProblem) -> [Int] {
        switch node.string("auto_pad", default: "NOTSET") {
        case "VALID": return [0, 0, 0, 0]
        case let mode where mode.hasPrefix("SAME"):
            var pads = [0, 0, 0, 0]
            for axis in 0..<2 {
                let split = Self.sameSplit(size: size[axis], window: window[axis], stride: strides[axis])
                pads[axis] = mode == "SAME_LOWER" ? split.after : split.before
                pads[axis + 2] = mode == "SAME_LOWER" ? split.before : split.after
            }
            return pads
        case "NOTSET", "":
            let pads = node.ints("pads") ?? [0, 0, 0, 0]
            guard pads.count == 4, pads.allSatisfy({ $0 >= 0 && $0 <= 1 << 16 }) else {
                throw ImportProblem("pads \(pads): cnnc needs four pads between 0 and 65536")
            }
            return pads
        case let mode: throw ImportProblem("auto_pad \(mode) is not an ONNX padding")
        }
    }

    /// How `same` splits the padding: the smaller half before, as TensorFlow and Keras split it.
    static func sameSplit(size: Int, window: Int, stride: Int) -> (before: Int, after: Int) {
        let total = max(((size + stride - 1) / stride - 1) * stride + window - size, 0)
        return (total / 2, total - total / 2)
    }

    /// `valid` or `same` when the pads are what that padding pads, else nil.
    static func kerasPadding(_ pads: [Int], size: [Int], window: [Int], strides: [Int]) -> String? {
        if pads.allSatisfy({ $0 == 0 }) { return "valid" }
        for axis in 0..<2 {
            let split = sameSplit(size: size[axis], window: window[axis], stride: strides[axis])
            guard pads[axis] == split.before, pads[axis + 2] == split.after else { return nil }
        }
        return "same"
    }

    /// A zero_padding2d layer before a window that pads in a way the spec's paddings don't.
    mutating func zeroPad(_ x: Feature, _ pads: [Int]) -> Feature {
        guard case .map(let height, let width, let channels) = x.layout else { return x }
        return add(
            "zero_padding2d", inputs: [x], fields: [("padding", .pairs([[pads[0], pads[2]], [pads[1], pads[3]]]))],
            layout: .map(height: height + pads[0] + pads[2], width: width + pads[1] + pads[3], channels: channels),
            nonNegative: x.nonNegative, suffix: "pad")
    }

    static func windowOutput(size: Int, before: Int, after: Int, window: Int, stride: Int) throws(ImportProblem) -> Int
    {
        let span = size + before + after - window
        guard span >= 0 else {
            throw ImportProblem("its window (\(window)) is larger than its padded input (\(size + before + after))")
        }
        return span / stride + 1
    }

    mutating func convolution(_ node: Onnx_NodeProto) throws(ImportProblem) -> Feature {
        let x = try map(node, 0)
        let weight = try constant(node, 1)
        guard weight.dims.count == 4 else { throw ImportProblem("only 2-D convolutions have a spec equivalent") }
        let (filters, perGroup, kh, kw) = (weight.dims[0], weight.dims[1], weight.dims[2], weight.dims[3])
        let group = node.int("group", default: 1)
        let strides = try pair(node, "strides", default: 1)
        let dilations = try pair(node, "dilations", default: 1)
        if let shape = node.ints("kernel_shape"), shape != [kh, kw] {
            throw ImportProblem("kernel_shape \(shape) does not match its weight's [\(kh), \(kw)]")
        }
        let bias = try optionalConstant(node, 2)
        if let bias, bias.count != filters {
            throw ImportProblem("its bias has \(bias.count) values for \(filters) filters")
        }
        let window = [(kh - 1) * dilations[0] + 1, (kw - 1) * dilations[1] + 1]
        let size = [x.height, x.width]
        let pads = try windowPads(node, size: size, window: window, strides: strides)
        let output = try (0..<2).map { axis throws(ImportProblem) in
            try Self.windowOutput(
                size: size[axis], before: pads[axis], after: pads[axis + 2], window: window[axis], stride: strides[axis]
            )
        }
        var input = x.feature
        var padding = Self.kerasPadding(pads, size: size, window: window, strides: strides)
        if padding == nil {
            input = zeroPad(input, pads)
            padding = "valid"
        }
        var fields: [(String, SpecValue)] = []
        var weights: [String: Tensor] = [:]
        let type: String
        let values = weight.floats
        if group == 1 && perGroup == x.channels {
            type = "conv2d"
            fields.append(("filters", .int(filters)))
            weights["kernel"] = Tensor(
                shape: [kh, kw, perGroup, filters],
                scalars: Self.permuted(values, dims: [filters, perGroup, kh, kw], order: [2, 3, 1, 0]))
        } else if group == x.channels && perGroup == 1 && filters % group == 0 {
            type = "depthwise_conv2d"
            let multiplier = filters / group
            // Output channel c·multiplier + j of ONNX is kernel[.., c, j] of Keras.
            weights["kernel"] = Tensor(
                shape: [kh, kw, group, multiplier],
                scalars: Self.permuted(values, dims: [group, multiplier, kh, kw], order: [2, 3, 0, 1]))
            if multiplier != 1 { fields.append(("depth_multiplier", .int(multiplier))) }
        } else {
            throw ImportProblem(
                "a grouped convolution (\(group) groups of \(perGroup) channels) has no spec equivalent; only group 1 and depthwise (group = channels) have"
            )
        }
        fields.append(("kernel_size", SpecValue.pair([kh, kw])))
        if strides != [1, 1] { fields.append(("strides", SpecValue.pair(strides))) }
        if padding != "valid" { fields.append(("padding", .string(padding!))) }
        if dilations != [1, 1] { fields.append(("dilation_rate", SpecValue.pair(dilations))) }
        if let bias {
            weights["bias"] = Tensor(shape: [filters], scalars: bias.floats)
        } else {
            fields.append(("use_bias", .bool(false)))
        }
        return add(
            type, inputs: [input], fields: fields, weights: weights,
            layout: .map(height: output[0], width: output[1], channels: filters))
    }

    mutating func transposedConvolution(_ node: Onnx_NodeProto) throws(ImportProblem) -> Feature {
        let x = try map(node, 0)
        let weight = try constant(node, 1)
        guard weight.dims.count == 4 else {
            throw ImportProblem("only 2-D transposed convolutions have a spec equivalent")
        }
        let (inputs, filters, kh, kw) = (weight.dims[0], weight.dims[1], weight.dims[2], weight.dims[3])
        guard node.int("group", default: 1) == 1, inputs == x.channels else {
            throw ImportProblem("a grouped transposed convolution has no spec equivalent")
        }
        guard try pair(node, "dilations", default: 1) == [1, 1] else {
            throw ImportProblem("a dilated transposed convolution has no spec equivalent")
        }
        let strides = try pair(node, "strides", default: 1)
        let size = [x.height, x.width]
        let window = [kh, kw]
        let extra = node.ints("output_padding") ?? [0, 0]
        guard extra.count == 2, extra.allSatisfy({ $0 >= 0 && $0 < 1 << 16 }) else {
            throw ImportProblem("output_padding \(extra) is not two sizes")
        }
        // The full output has (in − 1)·s + k rows, of which ONNX keeps
        // out = full + output_padding − pads.
        let mode = node.string("auto_pad", default: "NOTSET")
        let shape = node.ints("output_shape")
        var pads = node.ints("pads") ?? [0, 0, 0, 0]
        guard pads.count == 4, pads.allSatisfy({ $0 >= 0 && $0 <= 1 << 16 }) else {
            throw ImportProblem("pads \(pads): cnnc needs four pads between 0 and 65536")
        }
        var full: [Int] = []
        var output: [Int] = []
        var keras: [Int] = []
        var sameStart: [Int] = []
        for axis in 0..<2 {
            let (inputSize, stride, kernel) = (size[axis], strides[axis], window[axis])
            full.append((inputSize - 1) * stride + kernel)
            // Keras: `same` keeps in·s rows from (k − s) / 2 on; `valid` keeps in·s + max(k − s, 0)
            // rows from 0 (zeros past the full output).
            keras.append(inputSize * stride + max(kernel - stride, 0))
            sameStart.append(max(kernel - stride, 0) / 2)
            if let shape, shape.count >= 2 {
                output.append(shape[shape.count - 2 + axis])
            } else if mode.hasPrefix("SAME") {
                output.append(inputSize * stride)
            } else {
                output.append(full[axis] + extra[axis] - pads[axis] - pads[axis + 2])
            }
            if shape != nil || mode.hasPrefix("SAME") {
                let total = full[axis] + extra[axis] - output[axis]
                let before = mode == "SAME_LOWER" ? total - total / 2 : total / 2
                pads[axis] = before
                pads[axis + 2] = total - before
            }
        }
        guard pads.allSatisfy({ $0 >= 0 }), output.allSatisfy({ $0 >= 1 && $0 <= 1 << 20 }) else {
            throw ImportProblem("its pads and output size do not make an output")
        }
        var padding = "valid"
        var cropping: [[Int]]? = nil
        let sameOutput = [size[0] * strides[0], size[1] * strides[1]]
        if output == sameOutput && [pads[0], pads[1]] == sameStart {
            padding = "same"
        } else if output != keras || pads[0] != 0 || pads[1] != 0 {
            // Else a cropping2d of `valid` does it.
            let crops = [[pads[0], keras[0] - pads[0] - output[0]], [pads[1], keras[1] - pads[1] - output[1]]]
            guard crops.allSatisfy({ $0[1] >= 0 }) else {
                throw ImportProblem("its output padding reaches past what conv2d_transpose computes")
            }
            cropping = crops
        }
        var fields: [(String, SpecValue)] = [("filters", .int(filters)), ("kernel_size", SpecValue.pair(window))]
        if strides != [1, 1] { fields.append(("strides", SpecValue.pair(strides))) }
        if padding != "valid" { fields.append(("padding", .string(padding))) }
        var weights = [
            "kernel": Tensor(
                shape: [kh, kw, filters, inputs],
                scalars: Self.permuted(weight.floats, dims: [inputs, filters, kh, kw], order: [2, 3, 1, 0]))
        ]
        if let bias = try optionalConstant(node, 2) {
            guard bias.count == filters else {
                throw ImportProblem("its bias has \(bias.count) values for \(filters) filters")
            }
            weights["bias"] = Tensor(shape: [filters], scalars: bias.floats)
        } else {
            fields.append(("use_bias", .bool(false)))
        }
        let layout = Layout.map(
            height: padding == "same" ? output[0] : keras[0], width: padding == "same" ? output[1] : keras[1],
            channels: filters)
        let result = add("conv2d_transpose", inputs: [x.feature], fields: fields, weights: weights, layout: layout)
        guard let cropping else { return result }
        return add(
            "cropping2d", inputs: [result], fields: [("cropping", .pairs(cropping))],
            layout: .map(height: output[0], width: output[1], channels: filters), suffix: "crop")
    }

    mutating func pool(_ node: Onnx_NodeProto) throws(ImportProblem) -> Feature {
        let x = try map(node, 0)
        let isMax = node.opType == "MaxPool"
        if isMax, node.output.count > 1, !node.output[1].isEmpty, (uses[node.output[1]] ?? 0) > 0 {
            throw ImportProblem("its indices output is read, which the spec's max_pool2d does not give")
        }
        let window = try pair(node, "kernel_shape", default: 0)
        let strides = try pair(node, "strides", default: 1)
        guard try pair(node, "dilations", default: 1) == [1, 1] else {
            throw ImportProblem("a dilated pool has no spec equivalent")
        }
        let size = [x.height, x.width]
        var pads = try windowPads(node, size: size, window: window, strides: strides)
        var output = try (0..<2).map { axis throws(ImportProblem) in
            try Self.windowOutput(
                size: size[axis], before: pads[axis], after: pads[axis + 2], window: window[axis], stride: strides[axis]
            )
        }
        if node.int("ceil_mode", default: 0) == 1 {
            for axis in 0..<2 {
                let span = size[axis] + pads[axis] + pads[axis + 2] - window[axis]
                var rounded = (span + strides[axis] - 1) / strides[axis] + 1
                // As ONNX Runtime and PyTorch: the last window starts inside the input or its leading pad.
                if (rounded - 1) * strides[axis] >= size[axis] + pads[axis] { rounded -= 1 }
                if rounded > output[axis] {
                    guard isMax && x.feature.nonNegative else {
                        throw ImportProblem(
                            isMax
                                ? "ceil_mode adds a window past the input, which only zero padding of a non-negative input (after a relu) expresses"
                                : "ceil_mode on an average pool has no spec equivalent")
                    }
                    pads[axis + 2] += (rounded - 1) * strides[axis] + window[axis] - (span + window[axis])
                    output[axis] = rounded
                }
            }
        }
        let countsPadding = node.int("count_include_pad", default: 0) == 1
        var padding = Self.kerasPadding(pads, size: size, window: window, strides: strides)
        // `same` averages ignore the padded cells, as count_include_pad 0 does.
        if padding == "same" && !isMax && countsPadding { padding = nil }
        var input = x.feature
        if padding == nil {
            guard !isMax || x.feature.nonNegative else {
                throw ImportProblem(
                    "pads \(pads) differ from `same`; padding with zeros before the pool changes a max of negative values",
                    note: "with a relu before the pool, cnnc pads with zeros")
            }
            guard isMax || countsPadding else {
                throw ImportProblem(
                    "pads \(pads) differ from `same`, and the padded cells are not counted (count_include_pad 0)")
            }
            input = zeroPad(input, pads)
            padding = "valid"
        }
        var fields: [(String, SpecValue)] = [("pool_size", SpecValue.pair(window))]
        if strides != window { fields.append(("strides", SpecValue.pair(strides))) }
        if padding != "valid" { fields.append(("padding", .string(padding!))) }
        return add(
            isMax ? "max_pool2d" : "avg_pool2d", inputs: [input], fields: fields,
            layout: .map(height: output[0], width: output[1], channels: x.channels), nonNegative: x.feature.nonNegative)
    }

    mutating func batchNormalization(_ node: Onnx_NodeProto) throws(ImportProblem) -> Feature {
        let x = try feature(node, 0)
        if node.int("training_mode", default: 0) != 0 {
            throw ImportProblem("it is in training mode; export the model in eval() mode")
        }
        var parameters: [String: Tensor] = [:]
        for (index, key) in ["gamma", "beta", "moving_mean", "moving_variance"].enumerated() {
            let values = try constant(node, index + 1)
            guard values.count == x.layout.channels else {
                throw ImportProblem("its \(key) has \(values.count) values for \(x.layout.channels) channels")
            }
            parameters[key] = Tensor(shape: [values.count], scalars: Self.specOrder(values.floats, x.layout))
        }
        let epsilon = node.float("epsilon", default: 1e-5)
        return add(
            "batch_norm", inputs: [x], fields: [("epsilon", .float(epsilon))], weights: parameters, layout: x.layout)
    }

    // MARK: Dense

    mutating func dense(_ node: Onnx_NodeProto) throws(ImportProblem) -> Feature {
        let x = try feature(node, 0)
        guard case .vector(let count, let flattened) = x.layout else {
            throw ImportProblem("multiplies an [N, C, H, W] map; cnnc's dense layers read vectors (flatten first)")
        }
        let weight = try constant(node, 1)
        let isGemm = node.opType == "Gemm"
        guard weight.dims.count == 2 else { throw ImportProblem("its weight has shape \(weight.dims), not a matrix") }
        if isGemm, node.int("transA", default: 0) != 0 { throw ImportProblem("transA = 1 has no spec equivalent") }
        let transposed = isGemm ? node.int("transB", default: 0) == 1 : false
        let (rows, units) = transposed ? (weight.dims[1], weight.dims[0]) : (weight.dims[0], weight.dims[1])
        guard rows == count else { throw ImportProblem("its weight has \(rows) rows for \(count) inputs") }
        let alpha = isGemm ? node.float("alpha", default: 1) : 1
        // Row r of the spec's kernel reads spec feature r, which is ONNX feature order[r] when a
        // flatten of a channels-first map comes before; one pass transposes, permutes and scales.
        let order = flattened?.onnxOrder
        let source = weight.floats
        var kernel = [Float](repeating: 0, count: source.count)
        source.withUnsafeBufferPointer { source in
            kernel.withUnsafeMutableBufferPointer { kernel in
                for row in 0..<rows {
                    let from = order?[row] ?? row
                    for unit in 0..<units {
                        kernel[row * units + unit] =
                            alpha * source[transposed ? unit * rows + from : from * units + unit]
                    }
                }
            }
        }
        var weights = ["kernel": Tensor(shape: [rows, units], scalars: kernel)]
        var fields: [(String, SpecValue)] = [("units", .int(units))]
        if isGemm, let bias = try optionalConstant(node, 2) {
            let beta = node.float("beta", default: 1)
            let values = bias.count == 1 ? [Float](repeating: bias.floats[0], count: units) : bias.floats
            guard values.count == units, bias.dims.dropLast().allSatisfy({ $0 == 1 }) else {
                throw ImportProblem("its bias has shape \(bias.dims) for \(units) units")
            }
            weights["bias"] = Tensor(shape: [units], scalars: values.map { $0 * beta })
        } else {
            fields.append(("use_bias", .bool(false)))
        }
        return add(
            "dense", inputs: [x], fields: fields, weights: weights, layout: .vector(count: units, flattened: nil))
    }

    // MARK: Shapes

    mutating func flatten(_ node: Onnx_NodeProto, value: String) throws(ImportProblem) -> Value {
        if case .channelsLast(let x) = try self.value(node, 0, channelsLast: true) {
            return flatten(channelsLast: x)
        }
        let x = try feature(node, 0)
        guard case .map(let height, let width, let channels) = x.layout else { return .feature(x) }
        let vector = Layout.vector(count: height * width * channels, flattened: nil)
        if height * width == 1 {
            // A global pool that keeps its dimensions only to be flattened: drop them instead.
            if let index = foldableLayer(of: x, value: value), layers[index].type.hasPrefix("global_"),
                layers[index]["keepdims"] != nil
            {
                layers[index]["keepdims"] = nil
                layers[index].origins.append(origin)
                return .feature(Feature(layer: x.layer, layout: vector, nonNegative: x.nonNegative))
            }
            return .feature(add("flatten", inputs: [x], layout: vector, nonNegative: x.nonNegative))
        }
        if channels == 1 { return flatten(channelsLast: x) }
        let size = MapSize(height: height, width: width, channels: channels)
        return .feature(
            add(
                "flatten", inputs: [x],
                layout: .vector(count: size.height * size.width * size.channels, flattened: size),
                nonNegative: x.nonNegative))
    }

    /// The per-sample dims a shape asks for, the batch axis resolved, or nil when its first axis
    /// is not the batch.
    func sampleDims(_ target: [Int], from input: [Int], allowZero: Bool) throws(ImportProblem) -> [Int]? {
        var dims = target
        for (axis, dim) in dims.enumerated() where dim == 0 && !allowZero {
            guard axis < input.count else { throw ImportProblem("copies axis \(axis), which its input lacks") }
            dims[axis] = input[axis]
        }
        let total = input.dropFirst().reduce(1, *)
        guard let first = dims.first else { return nil }
        var rest = Array(dims.dropFirst())
        guard rest.allSatisfy({ $0 >= 1 || $0 == -1 }), rest.filter({ $0 == -1 }).count <= 1 else { return nil }
        guard let known = TensorShape.product(rest.filter { $0 != -1 }) else {
            throw ImportProblem(
                "reshapes to \(Self.describe(target)), more than \(TensorShape.maximumElements) elements a sample")
        }
        if first == -1 {
            guard !rest.contains(-1), known == total else { return nil }
        } else if first != Constant.batch && first != fixedBatch {
            return nil
        }
        if let unknown = rest.firstIndex(of: -1) {
            guard known > 0, total % known == 0 else { return nil }
            rest[unknown] = total / known
        }
        return rest.reduce(1, *) == total ? rest : nil
    }

    mutating func reshape(_ node: Onnx_NodeProto) throws(ImportProblem) -> Value {
        let input = try value(node, 0, channelsLast: true)
        let target: [Int]
        if opset < 5 || node.attribute("shape") != nil {
            target = node.ints("shape") ?? []
        } else {
            guard let shape = try constant(node, 1).integers else { throw ImportProblem("its shape is not integers") }
            target = shape
        }
        let allowZero = node.int("allowzero", default: 0) == 1
        switch input {
        case .constant(var constant):
            guard !target.contains(Constant.batch) else { throw ImportProblem("reshapes a constant by the batch size") }
            var dims = target.enumerated().map {
                $1 == 0 && !allowZero && $0 < constant.dims.count ? constant.dims[$0] : $1
            }
            if let unknown = dims.firstIndex(of: -1) {
                guard let known = TensorShape.product(dims.filter { $0 != -1 }), known > 0 else {
                    throw ImportProblem("cannot infer -1 in \(target)")
                }
                dims[unknown] = constant.count / known
            }
            guard dims.allSatisfy({ $0 >= 0 }), TensorShape.product(dims) == constant.count else {
                throw ImportProblem("reshapes \(constant.dims) to \(target)")
            }
            constant.dims = dims
            return .constant(constant)
        case .feature(let x):
            guard let dims = try sampleDims(target, from: x.layout.onnxDims, allowZero: allowZero) else {
                throw ImportProblem(
                    "reshapes \(Self.describe(x.layout.onnxDims)) to \(Self.describe(target)), which moves the batch axis"
                )
            }
            return try reshape(x, to: dims, value: node.input[0])
        case .channelsLast(let x):
            guard let dims = try sampleDims(target, from: x.layout.onnxDims, allowZero: allowZero) else {
                throw ImportProblem(
                    "reshapes a channels-last map to \(Self.describe(target)), which moves the batch axis")
            }
            return try reshape(channelsLast: x, to: dims)
        default: throw ImportProblem("reads a value that could not be imported")
        }
    }

    /// A feature reshaped to per-sample `dims`, as far as channels-last can follow channels-first.
    mutating func reshape(_ x: Feature, to dims: [Int], value: String) throws(ImportProblem) -> Value {
        switch (x.layout, dims.count) {
        case (.map, 1): return try flattenFeature(x, value: value)
        case (.vector, 1): return .feature(x)
        case (.map(let height, let width, let channels), 3) where dims == [channels, height, width]:
            return .feature(x)
        case (.map(1, 1, let channels), 3) where dims == [channels, 1, 1]:
            return .feature(x)
        case (.vector(let count, nil), 3) where dims == [count, 1, 1]:
            return .feature(
                add(
                    "reshape", inputs: [x], fields: [("target_shape", .ints([1, 1, count]))],
                    layout: .map(height: 1, width: 1, channels: count), nonNegative: x.nonNegative))
        case (.vector(_, nil), 3):
            return reshape(vector: x, toChannelsLast: dims)
        case (.map, 3) where Self.ordersAlike(x.layout):
            return try reshape(channelsLast: x, to: dims)
        default:
            throw ImportProblem(
                "reshapes \(Self.describe(x.layout.onnxDims)) to \(Self.describe([Constant.batch] + dims)), which reorders channels-first data; a channels-last spec has no equivalent"
            )
        }
    }

    /// `flatten` for a feature that is not a node's first input.
    mutating func flattenFeature(_ x: Feature, value: String) throws(ImportProblem) -> Value {
        var node = Onnx_NodeProto()
        node.input = [value]
        node.opType = "Flatten"
        return try flatten(node, value: value)
    }

    mutating func squeeze(_ node: Onnx_NodeProto) throws(ImportProblem) -> Value {
        let input = try value(node, 0)
        let axes = try integers(node, attribute: "axes", input: 1)
        switch input {
        case .constant(var constant):
            let rank = constant.dims.count
            if node.opType == "Squeeze" {
                let removed = Set(
                    (axes ?? constant.dims.indices.filter { constant.dims[$0] == 1 }).map { $0 < 0 ? $0 + rank : $0 })
                constant.dims = constant.dims.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
            } else {
                let axes = axes ?? []
                let outputRank = rank + axes.count
                for axis in axes.map({ $0 < 0 ? $0 + outputRank : $0 }).sorted() {
                    guard axis >= 0 && axis <= constant.dims.count else {
                        throw ImportProblem("unsqueezes axis \(axis)")
                    }
                    constant.dims.insert(1, at: axis)
                }
            }
            return .constant(constant)
        case .feature(let x):
            let dims = x.layout.onnxDims
            var result = dims
            if node.opType == "Squeeze" {
                let removed = Set((axes ?? dims.indices.filter { dims[$0] == 1 }).map { $0 < 0 ? $0 + dims.count : $0 })
                guard !removed.contains(0) else { throw ImportProblem("squeezes the batch axis") }
                result = dims.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
            } else {
                let axes = axes ?? []
                for axis in axes.map({ $0 < 0 ? $0 + dims.count + axes.count : $0 }).sorted() {
                    guard axis >= 1 && axis <= result.count else { throw ImportProblem("unsqueezes the batch axis") }
                    result.insert(1, at: axis)
                }
            }
            return try reshape(x, to: Array(result.dropFirst()), value: node.input[0])
        default: throw ImportProblem("reads a value that could not be imported")
        }
    }

    static func describe(_ dims: [Int]) -> String {
        "[" + dims.map { $0 == Constant.batch ? "N" : "\($0)" }.joined(separator: ", ") + "]"
    }

    // MARK: Resampling and padding

    mutating func pad(_ node: Onnx_NodeProto) throws(ImportProblem) -> Feature {
        let x = try map(node, 0)
        guard node.string("mode", default: "constant") == "constant" else {
            throw ImportProblem(
                "\(node.string("mode", default: "constant")) padding has no spec equivalent; zero padding has")
        }
        var pads: [Int]
        var fill: Float = 0
        if opset < 11 {
            pads = node.ints("pads") ?? []
            fill = node.float("value", default: 0)
        } else {
            guard let values = try constant(node, 1).integers else { throw ImportProblem("its pads are not integers") }
            pads = values
            if let value = try optionalConstant(node, 2) { fill = value.floats.first ?? 0 }
            if let axes = try optionalConstant(node, 3)?.integers {
                // Operator set 18: pads for the listed axes only.
                var all = [Int](repeating: 0, count: 8)
                for (index, axis) in axes.enumerated() where index + axes.count < pads.count {
                    let axis = axis < 0 ? axis + 4 : axis
                    guard (0..<4).contains(axis) else { throw ImportProblem("pads axis \(axis)") }
                    all[axis] = pads[index]
                    all[axis + 4] = pads[index + axes.count]
                }
                pads = all
            }
        }
        guard pads.count == 8, pads[0] == 0, pads[1] == 0, pads[4] == 0, pads[5] == 0 else {
            throw ImportProblem("pads \(pads) pad the batch or channel axis; the spec pads height and width")
        }
        guard fill == 0 else { throw ImportProblem("pads with \(fill); the spec pads with zeros") }
        let (top, left, bottom, right) = (pads[2], pads[3], pads[6], pads[7])
        let all = [top, left, bottom, right]
        guard all.allSatisfy({ (-(1 << 16)...(1 << 16)).contains($0) }) else {
            throw ImportProblem("pads \(pads) are out of range")
        }
        let height = x.height + top + bottom
        let width = x.width + left + right
        guard height >= 1, width >= 1 else { throw ImportProblem("crops the map away") }
        let layout = Layout.map(height: height, width: width, channels: x.channels)
        if all.allSatisfy({ $0 >= 0 }) {
            return add(
                "zero_padding2d", inputs: [x.feature], fields: [("padding", .pairs([[top, bottom], [left, right]]))],
                layout: layout, nonNegative: x.feature.nonNegative)
        }
        guard all.allSatisfy({ $0 <= 0 }) else { throw ImportProblem("pads \(pads) both pad and crop") }
        return add(
            "cropping2d", inputs: [x.feature], fields: [("cropping", .pairs([[-top, -bottom], [-left, -right]]))],
            layout: layout, nonNegative: x.feature.nonNegative)
    }

    mutating func resize(_ node: Onnx_NodeProto) throws(ImportProblem) -> Feature {
        let x = try map(node, 0)
        let mode = node.string("mode", default: "nearest")
        var scales: [Float]? = nil
        var sizes: [Int]? = nil
        if node.opType == "Upsample" {
            scales = opset < 9 ? node.attribute("scales")?.floats : try constant(node, 1).floats
        } else if opset < 11 {
            scales = try constant(node, 1).floats
        } else {
            if let constant = try optionalConstant(node, 2), constant.count > 0 { scales = constant.floats }
            if let constant = try optionalConstant(node, 3), constant.count > 0 { sizes = constant.integers }
        }
        if let axes = node.ints("axes"), axes.map({ $0 < 0 ? $0 + 4 : $0 }) != [2, 3] {
            throw ImportProblem("resizes axes \(axes); the spec upsamples height and width")
        } else if node.attribute("axes") != nil {
            scales = scales.map { [1, 1] + $0 }
            sizes = sizes.map { [Constant.batch, x.channels] + $0 }
        }
        var factors: [Int]
        if let sizes, sizes.count == 4 {
            guard sizes[2] % x.height == 0, sizes[3] % x.width == 0 else {
                throw ImportProblem("resizes \(x.height)×\(x.width) to \(sizes[2])×\(sizes[3]), not by whole factors")
            }
            factors = [sizes[2] / x.height, sizes[3] / x.width]
        } else if let scales, scales.count == 4 {
            guard scales[0] == 1, scales[1] == 1 else { throw ImportProblem("scales the batch or channel axis") }
            guard let height = Int(exactly: scales[2]), let width = Int(exactly: scales[3]) else {
                throw ImportProblem("scales by \(scales[2]) × \(scales[3]); the spec upsamples by whole factors")
            }
            factors = [height, width]
        } else {
            throw ImportProblem("gives neither four scales nor four sizes")
        }
        guard factors.allSatisfy({ $0 >= 1 && $0 <= 1 << 10 }) else {
            throw ImportProblem("scales by \(factors), which the spec does not")
        }
        let transform = node.string(
            "coordinate_transformation_mode", default: node.opType == "Upsample" ? "asymmetric" : "half_pixel")
        let interpolation: String
        switch mode {
        case "nearest":
            // For whole factors, ⌊x / s⌋ is what asymmetric + floor and half_pixel + rounding give.
            let rounding = node.string(
                "nearest_mode", default: node.opType == "Upsample" ? "floor" : "round_prefer_floor")
            let exact =
                switch transform {
                case "asymmetric": rounding == "floor" || factors.allSatisfy { $0 == 1 }
                case "half_pixel", "pytorch_half_pixel": rounding.hasPrefix("round")
                default: factors.allSatisfy { $0 == 1 }
                }
            guard exact else {
                throw ImportProblem(
                    "nearest resizing with \(transform) and \(rounding) picks other pixels than the spec's upsampling2d"
                )
            }
            interpolation = "nearest"
        case "linear", "bilinear":
            guard transform == "half_pixel" || transform == "pytorch_half_pixel" else {
                throw ImportProblem(
                    "linear resizing with \(transform) coordinates differs from the spec's bilinear upsampling (half-pixel centers)",
                    note: "torch's align_corners=False exports half_pixel")
            }
            interpolation = "bilinear"
        default:
            throw ImportProblem("\(mode) resizing has no spec equivalent")
        }
        var fields: [(String, SpecValue)] = [("size", SpecValue.pair(factors))]
        if interpolation != "nearest" { fields.append(("interpolation", .string(interpolation))) }
        return add(
            "upsampling2d", inputs: [x.feature], fields: fields,
            layout: .map(height: x.height * factors[0], width: x.width * factors[1], channels: x.channels),
            nonNegative: x.feature.nonNegative)
    }

    // MARK: Merges and constants

    mutating func concatenate(_ node: Onnx_NodeProto) throws(ImportProblem) -> Value {
        let parts = try (0..<node.input.count).map { index throws(ImportProblem) in try value(node, index) }
        let axis = node.int("axis", default: 1)
        let constants = parts.compactMap { if case .constant(let constant) = $0 { constant } else { nil } }
        if constants.count == parts.count {
            guard constants.allSatisfy({ $0.dims.count == 1 }) else {
                throw ImportProblem("concatenates constants of rank other than 1")
            }
            if let integers = constants.map(\.integers) as? [[Int]] {
                return .constant(Constant(integers: integers.flatMap { $0 }))
            }
            return .constant(Constant(floats: constants.flatMap(\.floats)))
        }
        let features = try parts.map { part throws(ImportProblem) -> Feature in
            guard case .feature(let feature) = part else {
                throw ImportProblem("concatenates the model's input with a constant")
            }
            return feature
        }
        if features.count == 1 { return .feature(features[0]) }
        guard axis == 1 || axis == -1 && !features.contains(where: { if case .map = $0.layout { true } else { false } })
        else {
            throw ImportProblem("concatenates on axis \(axis); the spec concatenates channels (axis 1)")
        }
        switch features[0].layout {
        case .map(let height, let width, _):
            let channels = features.reduce(0) { $0 + $1.layout.channels }
            return .feature(
                add(
                    "concatenate", inputs: features, layout: .map(height: height, width: width, channels: channels),
                    nonNegative: features.allSatisfy(\.nonNegative)))
        case .vector:
            guard features.allSatisfy({ if case .vector(_, nil) = $0.layout { true } else { false } }) else {
                throw ImportProblem(
                    "concatenates flattened feature maps, which a channels-last spec orders differently")
            }
            let count = features.reduce(0) { $0 + $1.layout.channels }
            return .feature(
                add(
                    "concatenate", inputs: features, layout: .vector(count: count, flattened: nil),
                    nonNegative: features.allSatisfy(\.nonNegative)))
        }
    }

    mutating func elementwise(_ node: Onnx_NodeProto) throws(ImportProblem) -> Value {
        let operands = try (0..<node.input.count).map { index throws(ImportProblem) in try value(node, index) }
        guard !operands.isEmpty else { throw ImportProblem("has no inputs") }
        if let step = try geluStep(node, operands) { return step }
        let features = operands.compactMap { if case .feature(let feature) = $0 { feature } else { nil } }
        let constants = operands.compactMap { if case .constant(let constant) = $0 { constant } else { nil } }
        if features.isEmpty { return .constant(try Self.arithmetic(node.opType, constants)) }
        if operands.count == 1 { return operands[0] }
        if constants.isEmpty { return .feature(try merge(node, features)) }
        guard operands.count == 2 else {
            throw ImportProblem("mixes the model's data with constants in a \(node.opType) of \(operands.count)")
        }
        let x = features[0]
        let constantFirst = if case .constant = operands[0] { true } else { false }
        let source = node.input[constantFirst ? 1 : 0]
        let values = try channelValues(constants[0], x.layout)
        switch (node.opType, constantFirst) {
        case ("Mul", _): return .feature(try scale(x, value: source, by: values))
        case ("Div", false): return .feature(try scale(x, value: source, by: values.map { 1 / $0 }))
        case ("Add", _), ("Sum", _): return .feature(try shift(x, value: source, by: values))
        case ("Sub", false): return .feature(try shift(x, value: source, by: values.map { -$0 }))
        case ("Sub", true) where values.count == 1:
            return .feature(
                add(
                    "rescaling", inputs: [x], fields: [("scale", .float(-1)), ("offset", .float(values[0]))],
                    layout: x.layout))
        default:
            throw ImportProblem("\(node.opType) of a constant and the model's data has no spec equivalent")
        }
    }

    /// One value, or one per channel (per feature of a vector, in the spec's order), of a constant
    /// broadcast against a feature.
    func channelValues(_ constant: Constant, _ layout: Layout) throws(ImportProblem) -> [Float] {
        if constant.count == 1 { return [constant.floats[0]] }
        var dims = constant.dims
        while dims.first == 1 && dims.count > 1 { dims.removeFirst() }
        switch layout {
        case .map(_, _, let channels) where dims == [channels, 1, 1]: return constant.floats
        case .vector(let count, _) where dims == [count]: return Self.specOrder(constant.floats, layout)
        default:
            throw ImportProblem(
                "combines the model's data \(Self.describe(layout.onnxDims)) with a constant of shape \(constant.dims); the spec takes one value or one per channel"
            )
        }
    }

    /// Per-feature values of a vector in the spec's order.
    static func specOrder(_ values: [Float], _ layout: Layout) -> [Float] {
        guard case .vector(_, let flattened?) = layout else { return values }
        return flattened.onnxOrder.map { values[$0] }
    }

    /// Layers whose weights a following scale or shift folds into, when they have no activation.
    static let linear: Set<String> = [
        "conv2d", "depthwise_conv2d", "dense", "separable_conv2d", "conv2d_transpose", "batch_norm", "normalization",
    ]

    func foldableLinearLayer(of x: Feature, value: String) -> Int? {
        guard let index = foldableLayer(of: x, value: value), Self.linear.contains(layers[index].type),
            layers[index]["activation"] == nil
        else { return nil }
        return index
    }

    /// x · s (one s, or one per channel).
    mutating func scale(_ x: Feature, value: String, by factors: [Float]) throws(ImportProblem) -> Feature {
        let channels = x.layout.channels
        let perChannel = factors.count == 1 ? [Float](repeating: factors[0], count: channels) : factors
        if perChannel.allSatisfy({ $0 == 1 }) { return x }
        if let index = foldableLinearLayer(of: x, value: value) {
            var layer = layers[index]
            if layer.type == "normalization" {
                guard perChannel.allSatisfy({ $0 > 0 }), case .floats(let variance)? = layer["variance"] else {
                    return try scaleLayer(x, perChannel)
                }
                layer["variance"] = .floats(zip(variance, perChannel).map { $0 / ($1 * $1) })
            } else if layer.type == "batch_norm" {
                for key in ["gamma", "beta"] {
                    layer.weights[key]!.scalars = zip(layer.weights[key]!.scalars, perChannel).map(*)
                }
            } else {
                let key = layer.type == "separable_conv2d" ? "pointwise_kernel" : "kernel"
                let kernel = layer.weights[key]!
                let inputs = layer.type == "conv2d_transpose" ? kernel.shape[3] : 1
                layer.weights[key]!.scalars = kernel.scalars.enumerated().map {
                    $1 * perChannel[($0 / inputs) % channels]
                }
                if let bias = layer.weights["bias"] {
                    layer.weights["bias"]!.scalars = zip(bias.scalars, perChannel).map(*)
                }
            }
            layer.origins.append(origin)
            layers[index] = layer
            return Feature(layer: x.layer, layout: x.layout)
        }
        return try scaleLayer(x, perChannel)
    }

    /// A rescaling layer for one factor, a normalization for positive per-channel ones.
    mutating func scaleLayer(_ x: Feature, _ factors: [Float]) throws(ImportProblem) -> Feature {
        if factors.allSatisfy({ $0 == factors[0] }) {
            return add("rescaling", inputs: [x], fields: [("scale", .float(factors[0]))], layout: x.layout)
        }
        guard factors.allSatisfy({ $0 > 0 }) else {
            throw ImportProblem(
                "scales channels by factors of both signs, which no spec layer after \(x.layer) can take")
        }
        let zeros = [Float](repeating: 0, count: factors.count)
        return add(
            "normalization", inputs: [x],
            fields: [("mean", .floats(zeros)), ("variance", .floats(factors.map { 1 / ($0 * $0) }))],
            layout: x.layout)
    }

    /// x + b (one b, or one per channel).
    mutating func shift(_ x: Feature, value: String, by offsets: [Float]) throws(ImportProblem) -> Feature {
        let channels = x.layout.channels
        let perChannel = offsets.count == 1 ? [Float](repeating: offsets[0], count: channels) : offsets
        if perChannel.allSatisfy({ $0 == 0 }) { return x }
        if let index = foldableLinearLayer(of: x, value: value) {
            var layer = layers[index]
            switch layer.type {
            case "normalization":
                // (x − m) / d + b = (x − (m − b·d)) / d
                guard case .floats(let mean)? = layer["mean"], case .floats(let variance)? = layer["variance"] else {
                    return shiftLayer(x, perChannel)
                }
                layer["mean"] = .floats(
                    (0..<channels).map { mean[$0] - perChannel[$0] * max(variance[$0].squareRoot(), 1e-7) })
            case "batch_norm":
                layer.weights["beta"]!.scalars = zip(layer.weights["beta"]!.scalars, perChannel).map(+)
            default:
                if let bias = layer.weights["bias"] {
                    layer.weights["bias"]!.scalars = zip(bias.scalars, perChannel).map(+)
                } else {
                    layer.weights["bias"] = Tensor(shape: [channels], scalars: perChannel)
                    layer["use_bias"] = nil
                }
            }
            layer.origins.append(origin)
            layers[index] = layer
            return Feature(layer: x.layer, layout: x.layout)
        }
        return shiftLayer(x, perChannel)
    }

    mutating func shiftLayer(_ x: Feature, _ offsets: [Float]) -> Feature {
        if offsets.allSatisfy({ $0 == offsets[0] }) {
            return add(
                "rescaling", inputs: [x], fields: [("scale", .float(1)), ("offset", .float(offsets[0]))],
                layout: x.layout)
        }
        let ones = [Float](repeating: 1, count: offsets.count)
        return add(
            "normalization", inputs: [x],
            fields: [("mean", .floats(offsets.map { -$0 })), ("variance", .floats(ones))],
            layout: x.layout)
    }

    /// A merge layer of features; x · sigmoid(x) becomes a swish activation.
    mutating func merge(_ node: Onnx_NodeProto, _ features: [Feature]) throws(ImportProblem) -> Feature {
        if node.opType == "Mul", features.count == 2 {
            for (x, gate, gateValue) in [
                (features[0], features[1], node.input[1]), (features[1], features[0], node.input[0]),
            ] {
                guard let index = layerIndex[gate.layer], layers[index].type == "activation",
                    layers[index]["activation"] == .string("sigmoid"), layers[index].inputs == [x.layer],
                    readOnce(gateValue)
                else { continue }
                // x read twice (by the sigmoid and here) and computed by a linear layer: its activation.
                let xValue = node.input[gateValue == node.input[1] ? 0 : 1]
                if x.layer != "input", uses[root(xValue)] == 2, let producer = layerIndex[x.layer],
                    Self.activated.contains(layers[producer].type), layers[producer]["activation"] == nil
                {
                    layers[producer]["activation"] = .string("swish")
                    layers[producer].origins += layers[index].origins + [origin]
                    return Feature(layer: x.layer, layout: x.layout)
                }
                layers[index]["activation"] = .string("swish")
                layers[index].origins.append(origin)
                return Feature(layer: gate.layer, layout: x.layout)
            }
        }
        let type =
            switch node.opType {
            case "Add", "Sum": "add"
            case "Sub": "subtract"
            case "Mul": "multiply"
            case "Mean": "average"
            case "Max": "maximum"
            case "Min": "minimum"
            default: throw ImportProblem("\(node.opType) of two computed values has no spec equivalent")
            }
        var layout = features[0].layout
        for feature in features.dropFirst() {
            switch (layout, feature.layout) {
            case (.map(let h1, let w1, let c1), .map(let h2, let w2, let c2)):
                func joined(_ a: Int, _ b: Int) throws(ImportProblem) -> Int {
                    guard a == b || a == 1 || b == 1 else {
                        throw ImportProblem(
                            "combines maps \(Self.describe(layout.onnxDims)) and \(Self.describe(feature.layout.onnxDims)), which do not broadcast"
                        )
                    }
                    return max(a, b)
                }
                layout = .map(height: try joined(h1, h2), width: try joined(w1, w2), channels: try joined(c1, c2))
            case (.vector(let n1, let f1), .vector(let n2, let f2)) where n1 == n2 && f1 == f2:
                break
            default:
                throw ImportProblem(
                    "combines \(Self.describe(layout.onnxDims)) and \(Self.describe(feature.layout.onnxDims)), which the spec's \(type) cannot"
                )
            }
        }
        let nonNegative = type != "subtract" && features.allSatisfy(\.nonNegative)
        return add(type, inputs: features, layout: layout, nonNegative: nonNegative)
    }

    mutating func constantAttribute(_ node: Onnx_NodeProto) throws(ImportProblem) -> Constant {
        if let tensor = node.attribute("value") { return try Constant(tensor.t) }
        if let value = node.attribute("value_float") { return Constant(floats: [value.f], dims: []) }
        if let value = node.attribute("value_floats") { return Constant(floats: value.floats) }
        if let value = node.attribute("value_int") {
            return Constant(integers: [Constant.saturated(value.i)], dims: [])
        }
        if let value = node.attribute("value_ints") { return Constant(integers: value.ints.map(Constant.saturated)) }
        throw ImportProblem("its value is not a numeric tensor")
    }

    /// Folds the shape arithmetic exporters write (Shape, Gather, Cast, ConstantOfShape, Slice).
    mutating func fold(_ node: Onnx_NodeProto) throws(ImportProblem) -> Value {
        let input = try value(node, 0)
        if case .feature(let x) = input {
            switch node.opType {
            case "Shape":
                var dims = x.layout.onnxDims
                if let fixedBatch { dims[0] = fixedBatch }
                let start = node.int("start", default: 0)
                let end = node.int("end", default: dims.count)
                let range = Self.clampedRange(start, end, count: dims.count)
                return .constant(Constant(integers: Array(dims[range])))
            case "Slice":
                return try crop(node, x)
            case "Cast":
                guard [1, 10, 11, 16].contains(node.int("to", default: 1)) else {
                    throw ImportProblem("casts the model's data to a type other than float")
                }
                return input
            default:
                throw ImportProblem("\(node.opType) of the model's data has no spec equivalent")
            }
        }
        guard case .constant(let constant) = input else {
            throw ImportProblem("reads a value that could not be imported")
        }
        switch node.opType {
        case "Shape":
            return .constant(Constant(integers: constant.dims))
        case "Cast":
            let to = Onnx_TensorProto.DataType(rawValue: node.int("to", default: 1)) ?? .undefined
            switch to {
            case .float, .double, .float16, .bfloat16:
                return .constant(Constant(dims: constant.dims, values: .floats(constant.floats)))
            default:
                let integers = constant.floats.map { Int(exactly: $0.rounded(.towardZero)) ?? 0 }
                if case .integers = constant.values { return input }
                return .constant(Constant(dims: constant.dims, values: .integers(integers)))
            }
        case "ConstantOfShape":
            guard let dims = constant.integers, dims.allSatisfy({ $0 >= 0 }) else {
                throw ImportProblem("its shape is not sizes")
            }
            guard let count = TensorShape.product(dims), count <= Constant.foldedLimit else {
                throw ImportProblem(
                    "asks for \(dims), more than the \(Constant.foldedLimit) elements cnnc folds into a constant")
            }
            let fill = try node.attribute("value").map { attribute throws(ImportProblem) in try Constant(attribute.t) }
            if let fill, case .integers(let integers) = fill.values, let first = integers.first {
                return .constant(Constant(dims: dims, values: .integers([Int](repeating: first, count: count))))
            }
            return .constant(
                Constant(dims: dims, values: .floats([Float](repeating: fill?.floats.first ?? 0, count: count))))
        case "Gather":
            guard constant.dims.count == 1, node.int("axis", default: 0) == 0 else {
                throw ImportProblem("gathers from a constant of rank \(constant.dims.count); cnnc folds rank 1 only")
            }
            let indices = try self.constant(node, 1)
            guard let positions = indices.integers else { throw ImportProblem("its indices are not integers") }
            let picked = try positions.map { index throws(ImportProblem) -> Int in
                let position = index < 0 ? index + constant.count : index
                guard (0..<constant.count).contains(position) else {
                    throw ImportProblem("index \(index) is out of range")
                }
                return position
            }
            return .constant(Constant(dims: indices.dims, values: constant.picking(picked)))
        case "Slice":
            let (starts, ends, axes, steps) = try sliceArguments(node)
            var ranges = constant.dims.map { Array(0..<$0) }
            for (index, axis) in axes.enumerated() {
                let axis = axis < 0 ? axis + constant.dims.count : axis
                guard ranges.indices.contains(axis), steps[index] != 0 else {
                    throw ImportProblem("slices axis \(axis) by \(steps[index])")
                }
                ranges[axis] = Self.sliceIndices(
                    starts[index], ends[index], step: steps[index], count: constant.dims[axis])
            }
            return .constant(constant.picking(ranges))
        case "Transpose":
            let order = node.ints("perm") ?? Array((0..<constant.dims.count).reversed())
            guard order.sorted() == Array(0..<constant.dims.count) else {
                throw ImportProblem("perm \(order) is not a permutation")
            }
            var dims = constant.dims
            var strides = [Int](repeating: 1, count: dims.count)
            for axis in stride(from: dims.count - 2, through: 0, by: -1) {
                strides[axis] = strides[axis + 1] * dims[axis + 1]
            }
            dims = order.map { constant.dims[$0] }
            var flat: [Int] = [0]
            for (axis, source) in order.enumerated() {
                flat = flat.flatMap { base in (0..<dims[axis]).map { base + $0 * strides[source] } }
            }
            return .constant(Constant(dims: dims, values: constant.picking(flat)))
        default:
            throw ImportProblem("\(node.opType) has no spec equivalent")
        }
    }

    /// A Slice's starts, ends, axes and steps: attributes before operator set 10, inputs since.
    mutating func sliceArguments(
        _ node: Onnx_NodeProto
    ) throws(ImportProblem) -> (starts: [Int], ends: [Int], axes: [Int], steps: [Int]) {
        let starts = try integers(node, attribute: "starts", input: 1) ?? []
        let ends = try integers(node, attribute: "ends", input: 2) ?? []
        let axes = try integers(node, attribute: "axes", input: 3) ?? Array(0..<starts.count)
        let steps = try optionalConstant(node, 4)?.integers ?? [Int](repeating: 1, count: starts.count)
        guard starts.count == ends.count, axes.count == starts.count, steps.count == starts.count else {
            throw ImportProblem("its starts, ends, axes and steps differ in length")
        }
        return (starts, ends, axes, steps)
    }

    /// The indices ONNX's Slice takes along an axis of `count`, clamped as its definition says.
    static func sliceIndices(_ start: Int, _ end: Int, step: Int, count: Int) -> [Int] {
        func resolve(_ index: Int) -> Int { index < 0 ? index + count : index }
        if step > 0 {
            let (low, high) = (min(max(resolve(start), 0), count), min(max(resolve(end), 0), count))
            return Array(stride(from: low, to: high, by: step))
        }
        let (high, low) = (min(max(resolve(start), 0), count - 1), min(max(resolve(end), -1), count - 1))
        return Array(stride(from: high, to: low, by: step))
    }

    static func clampedRange(_ start: Int, _ end: Int, count: Int) -> Range<Int> {
        func clamp(_ index: Int) -> Int { min(max(index < 0 ? index + count : index, 0), count) }
        let (low, high) = (clamp(start), clamp(end))
        return low..<max(low, high)
    }

    /// Arithmetic on constants (shape computations): equal shapes, or one operand of one value.
    static func arithmetic(_ op: String, _ operands: [Constant]) throws(ImportProblem) -> Constant {
        var result = operands[0]
        for operand in operands.dropFirst() {
            let dims = result.count >= operand.count ? result.dims : operand.dims
            let count = dims.reduce(1, *)
            guard result.count == operand.count || result.count == 1 || operand.count == 1 else {
                throw ImportProblem("combines constants of shapes \(result.dims) and \(operand.dims)")
            }
            func at<T>(_ values: [T], _ index: Int) -> T { values.count == 1 ? values[0] : values[index] }
            if let a = result.integers, let b = operand.integers, case .integers = result.values,
                case .integers = operand.values
            {
                guard !a.contains(Constant.batch) && !b.contains(Constant.batch) else {
                    throw ImportProblem("computes with the batch size, which is not known until the model runs")
                }
                let values = try (0..<count).map { index throws(ImportProblem) -> Int in
                    let (x, y) = (at(a, index), at(b, index))
                    switch op {
                    case "Add", "Sum": return x &+ y
                    case "Sub": return x &- y
                    case "Mul": return x &* y
                    case "Div":
                        guard y != 0 else { throw ImportProblem("divides by zero") }
                        return x / y
                    case "Max": return max(x, y)
                    case "Min": return min(x, y)
                    default: throw ImportProblem("\(op) of integer constants")
                    }
                }
                result = Constant(dims: dims, values: .integers(values))
            } else {
                let (a, b) = (result.floats, operand.floats)
                let values = try (0..<count).map { index throws(ImportProblem) -> Float in
                    let (x, y) = (at(a, index), at(b, index))
                    switch op {
                    case "Add", "Sum", "Mean": return x + y
                    case "Sub": return x - y
                    case "Mul": return x * y
                    case "Div": return x / y
                    case "Max": return max(x, y)
                    case "Min": return min(x, y)
                    default: throw ImportProblem("\(op) of constants")
                    }
                }
                result = Constant(dims: dims, values: .floats(values))
            }
        }
        if op == "Mean" { result.values = .floats(result.floats.map { $0 / Float(operands.count) }) }
        return result
    }

    /// `values`, a row-major tensor of shape `dims`, with its axes reordered: axis `order[i]` of
    /// the input becomes axis i of the result.
    static func permuted(_ values: [Float], dims: [Int], order: [Int]) -> [Float] {
        let outputDims = order.map { dims[$0] }
        var strides = [Int](repeating: 1, count: dims.count)
        for axis in stride(from: dims.count - 2, through: 0, by: -1) {
            strides[axis] = strides[axis + 1] * dims[axis + 1]
        }
        let sourceStrides = order.map { strides[$0] }
        var result = [Float](repeating: 0, count: values.count)
        guard !values.isEmpty else { return result }
        var index = [Int](repeating: 0, count: dims.count)
        let last = dims.count - 1
        var position = 0
        values.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                var offset = 0
                while position < target.count {
                    // The innermost axis in one run.
                    let step = sourceStrides[last]
                    for inner in 0..<outputDims[last] { target[position + inner] = source[offset + inner * step] }
                    position += outputDims[last]
                    var axis = last - 1
                    while axis >= 0 {
                        index[axis] += 1
                        offset += sourceStrides[axis]
                        if index[axis] < outputDims[axis] { break }
                        offset -= sourceStrides[axis] * outputDims[axis]
                        index[axis] = 0
                        axis -= 1
                    }
                    if axis < 0 { break }
                }
            }
        }
        return result
    }
}
