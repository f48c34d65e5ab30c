/// The human-readable summary, drawn like Keras 3's `model.summary()`.
extension ModelSummary {
    public var table: String {
        var header = ["Layer (type)", "Output Shape", "Param #", "Mult-Adds"]
        var rightAligned = [false, false, true, true]
        var cells = rows.map { row in
            [
                "\(row.name) (\(row.kind.kerasName))", row.outputShape.kerasDescription, Self.grouped(row.parameters),
                Self.grouped(row.macs),
            ]
        }
        if !isChain {
            header.append("Connected to")
            rightAligned.append(false)
            for index in cells.indices { cells[index].append(rows[index].inputs.joined(separator: ", ")) }
        }
        let widths = header.indices.map { column in
            max(header[column].count, cells.map { $0[column].count }.max() ?? 0)
        }
        func line(_ left: String, _ fill: String, _ middle: String, _ right: String) -> String {
            left + widths.map { String(repeating: fill, count: $0 + 2) }.joined(separator: middle) + right + "\n"
        }
        func row(_ values: [String], _ edge: String) -> String {
            let padded = values.enumerated().map { column, value in
                let space = String(repeating: " ", count: widths[column] - value.count)
                return " " + (rightAligned[column] ? space + value : value + space) + " "
            }
            return edge + padded.joined(separator: edge) + edge + "\n"
        }
        var output = "Model: \"\(name)\"\n"
        output += line("┏", "━", "┳", "┓")
        output += row(header, "┃")
        output += line("┡", "━", "╇", "┩")
        for (index, values) in cells.enumerated() {
            if index > 0 { output += line("├", "─", "┼", "┤") }
            output += row(values, "│")
        }
        output += line("└", "─", "┴", "┘")
        let nonTrainable = totalParameters - trainableParameters
        output += " Input shape: \(inputShape.kerasDescription)\n"
        output += " Total params: \(Self.grouped(totalParameters)) (\(bytes(totalParameters * 4)))\n"
        output += " Trainable params: \(Self.grouped(trainableParameters)) (\(bytes(trainableParameters * 4)))\n"
        output += " Non-trainable params: \(Self.grouped(nonTrainable)) (\(bytes(nonTrainable * 4)))\n"
        output += " Multiply-adds: \(Self.grouped(totalMACs)) per sample\n"
        output += " Weights: \(bytes(weightBytes)) (float32)\n"
        output += " Largest activation: \(bytes(largestActivation.bytes)) per sample (\(largestActivation.name))\n"
        return output
    }

    /// 1234567 → "1,234,567", as the summary and generated files print counts.
    public static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result += "," }
            result.append(digit)
        }
        return value < 0 ? "-" + result : result
    }

    /// Keras's readable sizes: B, KB, MB, GB in powers of 1024, two decimals.
    private func bytes(_ count: Int) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction) \(units[unit])"
    }
}
