import CNNGraph
import CNNInterpreter
import CNNKernels

extension SwiftEmitter {
    /// The layer pipeline: one call per kernel, every shape and arena offset a constant, each
    /// preceded by the spec layer (and any layers folded into it) it runs.
    func layers(_ out: inout CodeWriter) {
        out.line(
            "/// The layers in spec order, on `n` samples read from `input`; every other value lives in the arena.")
        out.line(
            "/// The large layers split across `scratch.parts` threads. Never inlined: `predict` calls it from two")
        out.line("/// places, and a model of many layers would compile its calls twice.")
        out.line("@inline(never)")
        out.line("private func layers(")
        out.indented { out in
            out.line("_ n: Int, _ input: UnsafePointer<Float>, _ arena: UnsafeMutablePointer<Float>,")
            out.line("_ scratch: Scratch")
        }
        out.block(")") { out in
            if !weights.regions.isEmpty { out.line("let w = UnsafePointer(weights.base)") }
            for (index, node) in graph.nodes.enumerated() where fusion.absorbedBy[index] == nil {
                out.line(comment(for: node, at: index))
                layer(&out, node, index)
            }
        }
    }

    /// `// name: type at spec:line, 28x28x1 -> 26x26x32, relu (+ folded layers)`.
    private func comment(for node: GraphNode, at index: Int) -> String {
        let input = node.inputs.map { graph.shape(of: $0).description }.joined(separator: " + ")
        var text =
            "// \(node.name): \(node.kind.rawValue) at \(specName):\(node.location.line), \(input) -> \(node.outputShape)"
        let folded = graph.nodes.indices.filter { fusion.absorbedBy[$0] == index }
        if !folded.isEmpty {
            text +=
                ", with "
                + folded.map { "\(graph.nodes[$0].name) (line \(graph.nodes[$0].location.line))" }
                .joined(separator: " and ") + " folded in"
        }
        if let activation = fusion.activations[index], activation != .linear { text += ", \(activation.rawValue)" }
        if !fusion.runs(node, at: index) { text += ": the same buffer, nothing to run" }
        return text
    }

    /// A `conv2d` as a call of the kernel `convolutionMethod` chooses for its shapes, the one the
    /// interpreter's `convolution` takes: the file then holds no code of the methods it never calls.
    private func convolution(
        _ out: inout CodeWriter, _ op: Conv2D, input: TensorShape, output: TensorShape, source: String,
        target: String, regions: WeightLayout.Regions, clamp: Clamp, residual: String?
    ) {
        let padding = op.window.implicitPadding(input: Size2D(input.height, input.width))
        let method = convolutionMethod(op, input: input, output: output, residual: residual != nil)
        let images = "height: \(input.height), width: \(input.width), channels: \(input.channels)"
        let outputs = "outputHeight: \(output.height), outputWidth: \(output.width), filters: \(op.filters)"
        let padded = "padding: (top: \(padding.top), left: \(padding.left))"
        let weights = "weights: w + \(regions.kernel), bias: w + \(regions.bias), clamp: .\(clamp)"
        let window = "kernel: \(pair(op.window.kernel)), strides: \(pair(op.window.strides))"
        switch method {
        case .winograd:
            out.line("winogradConvolution(")
            out.indented { out in
                out.line("n, \(source), \(target), \(images),")
                out.line("\(outputs), \(padded),")
                out.line("\(weights), residual: \(residual ?? "nil"), scratch: scratch)")
            }
        case .pointwise:
            out.line("dense(")
            out.indented { out in
                out.line("n * \(input.height * input.width), \(source), \(target), inputs: \(input.channels),")
                out.line("units: \(op.filters), \(weights), residual: \(residual ?? "nil"), scratch: scratch)")
            }
        case .shallow:
            out.line("shallowConvolution(")
            out.indented { out in
                out.line("n, \(source), \(target), \(images),")
                out.line("\(outputs), \(window),")
                out.line("\(padded), \(weights), scratch: scratch)")
            }
        case .patches:
            out.line("patchConvolution(")
            out.indented { out in
                out.line("n, \(source), \(target), \(images),")
                out.line("\(outputs), \(window), dilation: \(pair(op.window.dilation)),")
                out.line("\(padded), \(weights), residual: \(residual ?? "nil"), scratch: scratch)")
            }
        }
    }

    private func layer(_ out: inout CodeWriter, _ node: GraphNode, _ index: Int) {
        let input = graph.shape(of: node.inputs[0])
        let output = node.outputShape
        let source = value(node.inputs[0])
        let target = pointer("arena", buffers.offset(of: .node(index)))
        let regions = weights.regions[index]
        let activation = fusion.activations[index] ?? .linear
        let (clamp, after) = KernelActivation.split(activation)
        // A folded residual connection: the add's other input, added as the product stores.
        let residual = fusion.residuals[index].map { " residual: \(value($0))," } ?? ""
        let count = output.elementCount ?? 0
        switch node.operation {
        case .conv2d(let op):
            convolution(
                &out, op, input: input, output: output, source: source, target: target, regions: regions!,
                clamp: clamp, residual: fusion.residuals[index].map(value))
        case .depthwiseConv2D(let op):
            let padding = op.window.implicitPadding(input: Size2D(input.height, input.width))
            out.line("depthwise(")
            out.indented { out in
                out.line(
                    "n, \(source), \(target), height: \(input.height), width: \(input.width), channels: \(input.channels),"
                )
                out.line(
                    "multiplier: \(op.depthMultiplier), outputHeight: \(output.height), outputWidth: \(output.width),")
                out.line(
                    "kernel: \(pair(op.window.kernel)), strides: \(pair(op.window.strides)), dilation: \(pair(op.window.dilation)),"
                )
                out.line("padding: (top: \(padding.top), left: \(padding.left)),")
                out.line(
                    "weights: w + \(regions!.kernel), bias: w + \(regions!.bias), clamp: .\(clamp), parts: scratch.parts)"
                )
            }
        case .separableConv2D(let op):
            let padding = op.window.implicitPadding(input: Size2D(input.height, input.width))
            out.line("separable(")
            out.indented { out in
                out.line(
                    "n, \(source), \(target), height: \(input.height), width: \(input.width), channels: \(input.channels),"
                )
                out.line(
                    "multiplier: \(op.depthMultiplier), outputHeight: \(output.height), outputWidth: \(output.width), filters: \(op.filters),"
                )
                out.line(
                    "kernel: \(pair(op.window.kernel)), strides: \(pair(op.window.strides)), dilation: \(pair(op.window.dilation)),"
                )
                out.line(
                    "padding: (top: \(padding.top), left: \(padding.left)), depthwiseWeights: w + \(regions!.depthwise!),"
                )
                out.line(
                    "pointwiseWeights: w + \(regions!.kernel), bias: w + \(regions!.bias), clamp: .\(clamp), scratch: scratch)"
                )
            }
        case .conv2DTranspose(let op):
            out.line("transposedConvolution(")
            out.indented { out in
                out.line(
                    "n, \(source), \(target), height: \(input.height), width: \(input.width), channels: \(input.channels),"
                )
                out.line("outputHeight: \(output.height), outputWidth: \(output.width), filters: \(op.filters),")
                out.line(
                    "kernel: \(pair(op.kernel)), strides: \(pair(op.strides)), padding: (top: \(op.cut.top), left: \(op.cut.left)),"
                )
                out.line(
                    "weights: w + \(regions!.kernel), bias: w + \(regions!.bias), clamp: .\(clamp), scratch: scratch)")
            }
        case .maxPool2D(let op), .avgPool2D(let op):
            let padding = op.window.implicitPadding(input: Size2D(input.height, input.width))
            let average = node.kind == .avgPool2D
            out.line("pool(")
            out.indented { out in
                out.line(
                    "n, \(source), \(target), average: \(average), height: \(input.height), width: \(input.width),")
                out.line("channels: \(input.channels), outputHeight: \(output.height), outputWidth: \(output.width),")
                out.line(
                    "window: \(pair(op.window.kernel)), strides: \(pair(op.window.strides)), padding: (top: \(padding.top), left: \(padding.left)),"
                )
                out.line("parts: scratch.parts)")
            }
        case .globalAvgPool2D, .globalMaxPool2D:
            let average = node.kind == .globalAvgPool2D
            out.line(
                "globalPool(n, \(source), \(target), average: \(average), pixels: \(input.height * input.width), channels: \(input.channels))"
            )
        case .zeroPadding2D(let padding):
            out.line("zeroPad(")
            out.indented { out in
                out.line(
                    "n, \(source), \(target), height: \(input.height), width: \(input.width), channels: \(input.channels),"
                )
                out.line(
                    "outputHeight: \(output.height), outputWidth: \(output.width), top: \(padding.top), left: \(padding.left), "
                        + "parts: scratch.parts)")
            }
        case .batchNorm, .rescaling, .normalization:
            out.line(
                "scaleShift(n * \(count), \(source), \(target), channels: \(input.channels), scale: w + \(regions!.kernel), "
                    + "shift: w + \(regions!.bias), parts: scratch.parts)")
        case .cropping2D(let crop):
            out.line("crop(")
            out.indented { out in
                out.line(
                    "n, \(source), \(target), height: \(input.height), width: \(input.width), channels: \(input.channels),"
                )
                out.line(
                    "outputHeight: \(output.height), outputWidth: \(output.width), top: \(crop.top), left: \(crop.left))"
                )
            }
        case .upSampling2D(let op):
            switch op.interpolation {
            case .nearest:
                out.line(
                    "upsampleNearest(n, \(source), \(target), height: \(input.height), width: \(input.width), "
                        + "channels: \(input.channels), factors: \(pair(op.size)))")
            case .bilinear:
                out.line("upsampleBilinear(")
                out.indented { out in
                    out.line(
                        "n, \(source), \(target), height: \(input.height), width: \(input.width), channels: \(input.channels),"
                    )
                    out.line("outputHeight: \(output.height), outputWidth: \(output.width))")
                }
            }
        case .relu(let op):
            let maxValue = op.maxValue.map { "\(Float($0))" } ?? ".infinity"
            out.line(
                "clippedRelu(n * \(count), \(source), \(target), maxValue: \(maxValue), slope: \(Float(op.negativeSlope)), "
                    + "threshold: \(Float(op.threshold)))")
        case .dense(let op):
            out.line("dense(")
            out.indented { out in
                out.line("n, \(source), \(target), inputs: \(input.channels), units: \(op.units),")
                out.line(
                    "weights: w + \(regions!.kernel), bias: w + \(regions!.bias), clamp: .\(clamp),\(residual) scratch: scratch)"
                )
            }
        case .activation(let activation):
            out.line(
                "activate(.\(KernelActivation.pass(activation)), \(source), \(target), count: n * \(count), "
                    + "channels: \(output.channels), parts: scratch.parts)")
        case .flatten, .dropout, .reshape:
            break
        case .add, .merge:
            merge(&out, node, target: target, count: count)
        case .concatenate:
            let pixels = output.rank == 3 ? output.height * output.width : 1
            var offset = 0
            for value in node.inputs {
                let width = graph.shape(of: value).channels
                out.line(
                    "copyChannels(n * \(pixels), \(self.value(value)), width: \(width), \(target), total: \(output.channels), offset: \(offset))"
                )
                offset += width
            }
        }
        if let after, fusion.runs(node, at: index) {
            out.line(
                "activate(.\(after), \(target), count: n * \(count), channels: \(output.channels), parts: scratch.parts)"
            )
        }
    }

    /// `add` and the element-wise merges: the plain sum for an `add` of equal shapes, otherwise
    /// `combine` input by input, broadcasting size-1 axes; `average` scales the sum.
    private func merge(_ out: inout CodeWriter, _ node: GraphNode, target: String, count: Int) {
        let inputs = node.inputs.map(value)
        let shapes = node.inputs.map { graph.shape(of: $0) }
        if node.operation == .add && shapes.allSatisfy({ $0 == node.outputShape }) {
            out.line("add(n * \(count), \(inputs[0]), \(inputs[1]), \(target), parts: scratch.parts)")
            for extra in inputs.dropFirst(2) {
                out.line("accumulate(n * \(count), \(extra), \(target), parts: scratch.parts)")
            }
            return
        }
        func spatial(_ shape: TensorShape) -> String {
            shape.rank == 3 ? "(\(shape.height), \(shape.width), \(shape.channels))" : "(1, 1, \(shape.channels))"
        }
        let (combination, averages) = KernelCombination.of(node.operation)
        let output = spatial(node.outputShape)
        out.line(
            "combine(.\(combination), n, \(inputs[0]), \(spatial(shapes[0])), \(inputs[1]), \(spatial(shapes[1])), \(target), \(output))"
        )
        for index in 2..<inputs.count {
            out.line(
                "combine(.\(combination), n, \(target), \(output), \(inputs[index]), \(spatial(shapes[index])), \(target), \(output))"
            )
        }
        if averages { out.line("scale(n * \(count), \(target), by: \(1 / Float(inputs.count)))") }
    }

    private func pair(_ size: Size2D) -> String { "(\(size.height), \(size.width))" }

    /// Where a value is read from: the caller's input, or its place in the arena.
    private func value(_ value: ValueID) -> String {
        buffers.isInput(value) ? "input" : pointer("arena", buffers.offset(of: value))
    }
}
