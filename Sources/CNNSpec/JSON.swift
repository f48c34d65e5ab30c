/// A JSON value with ordered object keys, for machine-readable output in a stable, readable order.
public indirect enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    /// A finite number; a whole one is written without a fraction (`0`, not `0.0`).
    case number(Double)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    public static func == (lhs: JSON, rhs: JSON) -> Bool { lhs.rendered() == rhs.rendered() }

    /// Compact on one line, or indented by two spaces.
    public func rendered(pretty: Bool = false) -> String {
        var output = ""
        write(to: &output, indent: pretty ? "" : nil)
        return output
    }

    private func write(to output: inout String, indent: String?) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .int(let value): output += String(value)
        case .number(let value):
            precondition(value.isFinite, "JSON has no \(value)")
            output += SpecValue.format(value)
        case .string(let value): JSON.writeString(value, to: &output)
        case .array(let elements):
            writeContainer("[", "]", elements.count, to: &output, indent: indent) { index, output, inner in
                elements[index].write(to: &output, indent: inner)
            }
        case .object(let members):
            writeContainer("{", "}", members.count, to: &output, indent: indent) { index, output, inner in
                JSON.writeString(members[index].0, to: &output)
                output += inner == nil ? ":" : ": "
                members[index].1.write(to: &output, indent: inner)
            }
        }
    }

    private func writeContainer(
        _ open: String, _ close: String, _ count: Int, to output: inout String, indent: String?,
        element: (Int, inout String, String?) -> Void
    ) {
        output += open
        guard count > 0 else { return output += close }
        let inner = indent.map { $0 + "  " }
        for index in 0..<count {
            if index > 0 { output += "," }
            if let inner { output += "\n" + inner }
            element(index, &output, inner)
        }
        if let indent { output += "\n" + indent }
        output += close
    }

    private static func writeString(_ value: String, to output: inout String) {
        output += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
