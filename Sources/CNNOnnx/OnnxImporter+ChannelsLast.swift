import CNNFormats

/// Feature maps an ONNX graph holds channels-last, [N, H, W, C], as `cnnc export` and tf2onnx
/// write them: a channels-last input read through a Transpose to [N, C, H, W], and a map
/// transposed back to [N, H, W, C] for a Flatten, a Reshape or the model's output. That order is
/// the spec's own, so those nodes need no permutation. Every other reader of such a value is an
/// error that says so (`value(_:_:channelsLast:)`).
extension OnnxImporter {
    /// The permutation from [N, H, W, C] to [N, C, H, W].
    static let toChannelsFirst = [0, 3, 1, 2]
    /// The permutation from [N, C, H, W] to [N, H, W, C].
    static let toChannelsLast = [0, 2, 3, 1]

    /// True when every node that reads `input` transposes it from [N, H, W, C] to [N, C, H, W].
    func isReadChannelsLast(_ input: String) -> Bool {
        let readers = file.model.graph.node.filter { $0.input.contains(input) }
        return !readers.isEmpty
            && readers.allSatisfy { node in
                node.opType == "Transpose" && node.domain.isDefaultDomain && node.input.first == input
                    && node.ints("perm") == Self.toChannelsFirst
            }
    }

    /// A Transpose between channels-first and channels-last maps; on constants, the fold.
    mutating func transpose(_ node: Onnx_NodeProto) throws(ImportProblem) -> Value {
        let perm = node.ints("perm")
        switch try value(node, 0, channelsLast: true) {
        case .channelsLast(let x) where perm == Self.toChannelsFirst:
            return .feature(x)
        case .feature(let x) where perm == Self.toChannelsLast:
            guard case .map = x.layout else { throw ImportProblem("transposes a vector as a feature map") }
            if let problem = transposeOfDataProblem(node) { throw ImportProblem(problem) }
            return .channelsLast(x)
        case .channelsLast, .feature:
            throw ImportProblem(
                transposeOfDataProblem(node) ?? "transposes a channels-last map, which is not [N, H, W, C] here")
        default:
            return try fold(node)
        }
    }

    /// Why a Transpose of the model's data cannot be imported, or nil when it may be: one from
    /// [N, H, W, C] to [N, C, H, W], or one the other way that only a Flatten, a Reshape, a
    /// Transpose back or the model's output read (through Identity and Dropout).
    func transposeOfDataProblem(_ node: Onnx_NodeProto) -> String? {
        let perm = node.ints("perm")
        if perm == Self.toChannelsFirst { return nil }
        guard perm == Self.toChannelsLast else {
            return "Transpose of the model's data by \(perm.map { "\($0)" } ?? "its reversed axes") has no spec "
                + "equivalent; cnnc reads transposes between [N, C, H, W] and [N, H, W, C]"
        }
        var pending = Array(node.output.prefix(1))
        while let value = pending.popLast() {
            for reader in file.model.graph.node where reader.input.first == value {
                switch reader.opType {
                case "Identity", "Dropout": pending += reader.output.prefix(1)
                case "Flatten", "Reshape": continue
                case "Transpose" where reader.ints("perm") == Self.toChannelsFirst: continue
                default:
                    return "its [N, H, W, C] result is read by \(reader.label), which cnnc reads as [N, C, H, W] only"
                }
            }
            if file.model.graph.node.contains(where: { $0.input.dropFirst().contains(value) }) {
                return "its [N, H, W, C] result is read as a second operand, which cnnc reads as [N, C, H, W] only"
            }
        }
        return nil
    }

    /// The spec's flatten of a map whose elements are in its row-major order already.
    mutating func flatten(channelsLast x: Feature) -> Value {
        guard case .map(let height, let width, let channels) = x.layout else { return .feature(x) }
        return .feature(
            add(
                "flatten", inputs: [x], layout: .vector(count: height * width * channels, flattened: nil),
                nonNegative: x.nonNegative))
    }

    /// Flattens or reshapes a map whose elements are in the spec's row-major order.
    mutating func reshape(channelsLast x: Feature, to dims: [Int]) throws(ImportProblem) -> Value {
        guard case .map(let height, let width, let channels) = x.layout else { return .feature(x) }
        switch dims.count {
        case 1:
            return flatten(channelsLast: x)
        case 3 where dims == [height, width, channels]:
            return .channelsLast(x)
        case 3:
            return .channelsLast(
                add(
                    "reshape", inputs: [x], fields: [("target_shape", .ints(dims))],
                    layout: .map(height: dims[0], width: dims[1], channels: dims[2]), nonNegative: x.nonNegative))
        default:
            throw ImportProblem(
                "reshapes \(Self.describe([Constant.batch, height, width, channels])) to \(Self.describe([Constant.batch] + dims)); a spec reshapes to rank 1 or 3"
            )
        }
    }

    /// A vector reshaped to [N, H, W, C]: the spec's reshape, held channels-last.
    mutating func reshape(vector x: Feature, toChannelsLast dims: [Int]) -> Value {
        .channelsLast(
            add(
                "reshape", inputs: [x], fields: [("target_shape", .ints(dims))],
                layout: .map(height: dims[0], width: dims[1], channels: dims[2]), nonNegative: x.nonNegative))
    }

    /// Whether a channels-first map's elements are in channels-last order too: one channel, or one pixel.
    static func ordersAlike(_ layout: Layout) -> Bool {
        guard case .map(let height, let width, let channels) = layout else { return false }
        return channels == 1 || height * width == 1
    }
}
