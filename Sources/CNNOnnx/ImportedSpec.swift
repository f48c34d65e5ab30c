import CNNFormats

/// A value written into a spec: each case prints as YAML's flow style prints it.
enum SpecValue: Equatable {
    case int(Int)
    case float(Float)
    case string(String)
    case bool(Bool)
    case ints([Int])
    case pairs([[Int]])
    case floats([Float])

    var yaml: String {
        switch self {
        case .int(let value): "\(value)"
        case .float(let value): Self.number(value)
        case .string(let value): value
        case .bool(let value): value ? "true" : "false"
        case .ints(let values): "[" + values.map(String.init).joined(separator: ", ") + "]"
        case .pairs(let pairs): "[" + pairs.map { SpecValue.ints($0).yaml }.joined(separator: ", ") + "]"
        case .floats(let values): "[" + values.map(Self.number).joined(separator: ", ") + "]"
        }
    }

    /// The shortest text that reads back as the same float, always a YAML number ("1.0", not "1").
    static func number(_ value: Float) -> String {
        let text = "\(value)"
        return text.contains(where: { $0 == "." || $0 == "e" || $0 == "n" || $0 == "i" }) ? text : text + ".0"
    }

    /// An int, or `[h, w]` when the two differ.
    static func pair(_ values: [Int]) -> SpecValue { values[0] == values[1] ? .int(values[0]) : .ints(values) }
}

/// One layer of the spec an import writes, with the weights it reads and the ONNX nodes it came from.
struct ImportedLayer {
    var name: String
    var type: String
    /// Spec names of the layers it reads ("input" for the model's input).
    var inputs: [String]
    /// In the order they are written.
    var fields: [(key: String, value: SpecValue)] = []
    /// By parameter name ("kernel", "bias", …), in Keras's layouts.
    var weights: [String: Tensor] = [:]
    /// The ONNX nodes the layer stands for, as comments name them.
    var origins: [String]

    subscript(key: String) -> SpecValue? {
        get { fields.first { $0.key == key }?.value }
        set {
            if let index = fields.firstIndex(where: { $0.key == key }) {
                if let newValue { fields[index].value = newValue } else { fields.remove(at: index) }
            } else if let newValue {
                fields.append((key, newValue))
            }
        }
    }

    /// `- {type: conv2d, name: stem, filters: 32, …}  # onnx: /stem/Conv`
    func yaml(previous: String) -> String {
        var members = ["type: \(type)", "name: \(name)"]
        if inputs != [previous] { members.append("inputs: [" + inputs.joined(separator: ", ") + "]") }
        members += fields.map { "\($0.key): \($0.value.yaml)" }
        let origin = origins.map { name in
            let text = commentText(name)
            return text.contains(where: { ",".contains($0) }) ? "\"\(text)\"" : text
        }
        return "  - {" + members.joined(separator: ", ") + "}"
            + (origin.isEmpty ? "" : "  # " + origin.joined(separator: ", "))
    }
}

/// `text` for a YAML comment: one line, control characters shown as `?`, at most 200 characters.
func commentText(_ text: String) -> String {
    let line = String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
    return line.count > 200 ? String(line.prefix(200)) + "…" : line
}

/// What `cnnc import` writes: the spec's text and its weights.
public struct ImportedModel: Sendable {
    public var spec: String
    public var weights: [String: Tensor]
    /// Notes for the user: the output is channels-last where the ONNX model's is channels-first,
    /// nodes folded away, and so on.
    public var notes: [String]
}
