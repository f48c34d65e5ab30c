import CNNGraph

extension SwiftEmitter {
    /// The initializers: from a safetensors file (or the compiled-in weights), checked against the
    /// spec, then folded and packed once into the layout the layers read.
    func initializers(_ out: inout CodeWriter) {
        let name = graph.name
        out.lines(
            """
            /// Loads the weights from a safetensors file with the keys `<layer>.<param>` and Keras's
            /// shapes. Every missing, extra or wrongly shaped tensor is reported in the error.
            public init(weightsAt path: String) throws(LoadError) {
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw LoadError(path: path, message: "cannot read the file", notes: [])
                }
                do {
                    try self.init(tensors: readSafeTensors([UInt8](data)))
                } catch {
                    throw LoadError(path: path, message: error.message, notes: error.notes)
                }
            }
            """)
        if embedded != nil {
            out.line()
            out.lines(
                """
                /// The model with the weights compiled into this file (checked against the spec by `cnnc build`).
                public init() {
                    let parts = embeddedWeights.compactMap { Data(base64Encoded: $0, options: .ignoreUnknownCharacters) }
                    guard parts.count == embeddedWeights.count,
                        let model = try? \(name)(tensors: readSafeTensors(parts.reduce(into: []) { $0 += $1 }))
                    else { preconditionFailure("the compiled-in weights of \(name) were edited") }
                    self = model
                }
                """)
        }
        out.line()
        // Runs once, so it is not optimized (nor are readSafeTensors and checkTensors); what it calls is.
        out.line("@_optimize(none)")
        out.block("private init(tensors: [String: (shape: [Int], values: [Float])]) throws(WeightsProblem)") { out in
            let expected = graph.nodes.flatMap { node in node.weights.map { ("\(node.name).\($0.name)", $0.shape) } }
            if expected.isEmpty {
                out.line("try checkTensors(tensors, expected: [])")
            } else {
                out.line("try checkTensors(")
                out.indented { out in
                    out.line("tensors,")
                    // One string literal a tensor: an array of tuples holding arrays took swiftc a
                    // second for ResNet-50's 320 tensors.
                    out.line("expected: [")
                    out.indented { out in
                        for (key, shape) in expected { out.line("\"\(key) \(shape)\",") }
                    }
                    out.line("])")
                }
            }
            out.line("let store = FloatStore(count: \(name).weightCount)")
            if !weights.regions.isEmpty { out.line("let w = store.base") }
            for (index, node) in graph.nodes.enumerated() {
                if let regions = weights.regions[index] { pack(&out, node, index, regions) }
            }
            out.line("weights = store")
        }
    }

    private func pack(_ out: inout CodeWriter, _ node: GraphNode, _ index: Int, _ regions: WeightLayout.Regions) {
        let input = graph.shape(of: node.inputs[0])
        func tensor(_ node: GraphNode, _ weight: String) -> String {
            "tensorValues(tensors, \"\(node.name).\(weight)\")"
        }
        let hasBias = node.weights.contains { $0.name == "bias" }
        out.line("// \(node.name) (\(node.kind.rawValue), \(specName):\(node.location.line))")
        // The tensor a batch_norm folds into, its last axis the output channel.
        var kernel = tensor(node, "kernel")
        if case .separableConv2D = node.operation { kernel = tensor(node, "pointwise_kernel") }
        if case .conv2DTranspose = node.operation {
            kernel = "transposedConvolutionMatrix(\(kernel), channels: \(input.channels))"
        }
        var bias: String? = hasBias ? tensor(node, "bias") : nil
        if let normIndex = fusion.foldedNorm[index], let scaleShift = scaleShift(graph.nodes[normIndex]) {
            out.line("let \(node.name)Fold = \(scaleShift)")
            out.line("let \(node.name)Folded = foldScaleShift(")
            out.indented { out in
                out.line(
                    "kernel: \(kernel), bias: \(bias ?? "nil"), scale: \(node.name)Fold.scale, shift: \(node.name)Fold.shift)"
                )
            }
            kernel = "\(node.name)Folded.kernel"
            bias = "\(node.name)Folded.bias"
        }
        switch node.operation {
        case .conv2d(let op):
            let depth = op.window.kernel.height * op.window.kernel.width * input.channels
            if usesWinograd(op, input: input, output: node.outputShape) {
                out.line(
                    "packWinograd(\(kernel), channels: \(input.channels), filters: \(op.filters), into: w + \(regions.kernel))"
                )
            } else {
                out.line("packPanels(\(kernel), rows: \(depth), columns: \(op.filters), into: w + \(regions.kernel))")
            }
            if let bias { out.line("(w + \(regions.bias)).update(from: \(bias), count: \(op.filters))") }
        case .dense(let op):
            out.line(
                "packPanels(\(kernel), rows: \(input.channels), columns: \(op.units), into: w + \(regions.kernel))")
            if let bias { out.line("(w + \(regions.bias)).update(from: \(bias), count: \(op.units))") }
        case .separableConv2D(let op):
            let channels = op.intermediateChannels(input)
            let count = op.window.kernel.height * op.window.kernel.width * channels
            out.line("(w + \(regions.depthwise!)).update(from: \(tensor(node, "depthwise_kernel")), count: \(count))")
            out.line("packPanels(\(kernel), rows: \(channels), columns: \(op.filters), into: w + \(regions.kernel))")
            if let bias { out.line("(w + \(regions.bias)).update(from: \(bias), count: \(op.filters))") }
        case .conv2DTranspose(let op):
            let columns = op.kernel.height * op.kernel.width * op.filters
            out.line("packPanels(\(kernel), rows: \(input.channels), columns: \(columns), into: w + \(regions.kernel))")
            if let bias { out.line("(w + \(regions.bias)).update(from: \(bias), count: \(op.filters))") }
        case .depthwiseConv2D(let op):
            let channels = input.channels * op.depthMultiplier
            let count = op.window.kernel.height * op.window.kernel.width * channels
            out.line("(w + \(regions.kernel)).update(from: \(kernel), count: \(count))")
            if let bias { out.line("(w + \(regions.bias)).update(from: \(bias), count: \(channels))") }
        case .batchNorm, .rescaling, .normalization:
            out.line("let \(node.name)Norm = \(scaleShift(node)!)")
            out.line("(w + \(regions.kernel)).update(from: \(node.name)Norm.scale, count: \(input.channels))")
            out.line("(w + \(regions.bias)).update(from: \(node.name)Norm.shift, count: \(input.channels))")
        case .maxPool2D, .avgPool2D, .globalAvgPool2D, .globalMaxPool2D, .zeroPadding2D, .flatten, .activation,
            .dropout, .add, .concatenate, .relu, .reshape, .cropping2D, .upSampling2D, .merge:
            break
        }
    }

    /// The expression of a per-channel (scale, shift) for a batch_norm, rescaling or
    /// normalization node, from its tensors or its inline values; nil for other layers.
    private func scaleShift(_ node: GraphNode) -> String? {
        func tensor(_ weight: String) -> String { "tensorValues(tensors, \"\(node.name).\(weight)\")" }
        let channels = graph.shape(of: node.inputs[0]).channels
        switch node.operation {
        case .batchNorm(let op):
            return "normScaleShift(gamma: \(tensor("gamma")), beta: \(tensor("beta")), mean: \(tensor("moving_mean")), "
                + "variance: \(tensor("moving_variance")), epsilon: \(Float(op.epsilon)))"
        case .rescaling(let op):
            return "(scale: [Float](repeating: \(Float(op.scale)), count: \(channels)), "
                + "shift: [Float](repeating: \(Float(op.offset)), count: \(channels)))"
        case .normalization(let op):
            let values =
                op.inlineValues(channels: channels).map { ("\($0.mean)", "\($0.variance)") }
                ?? (tensor("mean"), tensor("variance"))
            return "normalizationScaleShift(mean: \(values.0), variance: \(values.1))"
        default:
            return nil
        }
    }

    /// The weights as base64 string literals: strings compile in a fraction of a second where an
    /// array literal of that many floats takes the type checker minutes. swiftc still carries each
    /// byte through every stage, and even names a literal's LLVM global after its whole text. Four
    /// choices here, measured on ResNet-50's 138 MB of base64, each save about a second or a tenth
    /// of the memory:
    /// - parentheses, without which the type checker lexes the whole literal again;
    /// - at most 8 MB a literal, since writing one LLVM constant takes 8 bytes of memory a byte;
    /// - one line a literal, not a multi-line literal, whose lines swiftc handles one by one;
    /// - a NUL first (`\0`, which the decoder skips as it skips any byte outside base64): LLVM
    ///   checks a C string for an inner NUL byte by byte before choosing its section, and an ELF
    ///   object lists a C string's global, name and all, in its symbol table. The NUL ends the
    ///   check at once and halves the object file.
    func embeddedWeights(_ out: inout CodeWriter, _ bytes: [UInt8]) {
        let partBytes = 6 << 20  // 8 MB of base64; a multiple of 3, so every part decodes alone
        let parts = stride(from: 0, to: max(bytes.count, 1), by: partBytes).map {
            Base64.encode(bytes[$0..<min($0 + partBytes, bytes.count)])
        }
        out.line()
        out.line("// MARK: - Compiled-in weights")
        out.line()
        out.line("/// The model's tensors as a safetensors file, base64-encoded in parts.")
        let names = parts.indices.map { "embeddedWeights\($0)" }
        out.line("private let embeddedWeights = [\(names.joined(separator: ", "))]")
        for (name, part) in zip(names, parts) {
            out.line()
            out.line("private let \(name) = (\"\\0\(part)\")")
        }
    }
}

/// RFC 4648 base64, so the emitter needs no Foundation.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: ArraySlice<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let chunk = bytes[index..<min(index + 3, bytes.endIndex)]
            var value = 0
            for (offset, byte) in chunk.enumerated() { value |= Int(byte) << (16 - 8 * offset) }
            for position in 0..<4 {
                output.append(position <= chunk.count ? alphabet[value >> (18 - 6 * position) & 63] : UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }
}
