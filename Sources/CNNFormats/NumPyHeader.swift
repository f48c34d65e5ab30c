/// The dict at the head of a `.npy` file, checked: `{'descr': '<f4', 'fortran_order': False,
/// 'shape': (3, 28, 28, 1), }`. Keys may come in any order; an unknown, missing or repeated key is
/// an error, as is any dtype cnnc does not convert.
struct NumPyHeader {
    /// The dtype string as the file spells it: `'<f4'`.
    var descr: String
    var layout: ScalarLayout
    var shape: [Int]

    /// The dtypes cnnc reads, by their `descr`.
    static let layouts: [String: ScalarLayout] = [
        "<f4": ScalarLayout(kind: .float32), ">f4": ScalarLayout(kind: .float32, bigEndian: true),
        "<f8": ScalarLayout(kind: .float64), ">f8": ScalarLayout(kind: .float64, bigEndian: true),
        "|u1": ScalarLayout(kind: .uint8), "u1": ScalarLayout(kind: .uint8),
        "<u1": ScalarLayout(kind: .uint8), ">u1": ScalarLayout(kind: .uint8),
    ]

    private static let accepted = "cnnc reads float32 ('<f4', '>f4'), float64 ('<f8', '>f8') and uint8 ('|u1')"
    private static let keys = ["descr", "fortran_order", "shape"]

    /// Parses and checks the header text; `problem` turns a message into an error naming the file.
    init(text: [Unicode.Scalar], problem: (String) -> FileFormatError) throws(FileFormatError) {
        let literal: PythonLiteral
        do {
            literal = try PythonLiteralParser.parse(text)
        } catch {
            throw problem("header is not a Python dict literal: \(error.message) (at character \(error.offset))")
        }
        guard case .dict(let members) = literal else {
            throw problem("header is \(literal.description.prefix(80)), not a dict")
        }
        var values: [String: PythonLiteral] = [:]
        for member in members {
            guard case .string(let key) = member.key, Self.keys.contains(key) else {
                throw problem(
                    "header has unknown key \(member.key.description); expected 'descr', 'fortran_order' and 'shape'")
            }
            guard values.updateValue(member.value, forKey: key) == nil else {
                throw problem("header has the key '\(key)' twice")
            }
        }
        for key in Self.keys where values[key] == nil {
            throw problem("header lacks the key '\(key)'")
        }

        guard case .string(let descr) = values["descr"]! else {
            let structured = values["descr"]!.description
            throw problem("dtype \(structured) is a structured dtype, which cnnc does not read; \(Self.accepted)")
        }
        guard let layout = Self.layouts[descr] else {
            throw problem("dtype '\(descr)' is not supported; \(Self.accepted)")
        }
        guard case .bool(let fortranOrder) = values["fortran_order"]! else {
            throw problem("fortran_order is \(values["fortran_order"]!.description), not True or False")
        }
        if fortranOrder {
            throw problem(
                "array is stored in Fortran (column-major) order; cnnc reads C order: "
                    + "save numpy.ascontiguousarray(array) instead")
        }
        guard case .tuple(let dimensions) = values["shape"]! else {
            throw problem("shape is \(values["shape"]!.description), not a tuple of dimensions")
        }
        var shape: [Int] = []
        for dimension in dimensions {
            guard case .integer(let digits) = dimension else {
                throw problem("shape has \(dimension.description); each dimension must be a non-negative integer")
            }
            guard let value = Int(digits) else {
                throw problem("shape has the dimension \(digits), which is too large")
            }
            guard value >= 0 else {
                throw problem("shape has the negative dimension \(value)")
            }
            shape.append(value)
        }
        self.descr = descr
        self.layout = layout
        self.shape = shape
    }

    /// The shape as numpy prints it: `(3, 28, 28, 1)`, `(3,)`, `()`.
    static func shapeDescription(_ shape: [Int]) -> String {
        PythonLiteral.tuple(shape.map { .integer(String($0)) }).description
    }

    /// The header numpy's `format.write_array` writes for a float32 C-order array: the dict with
    /// sorted keys, room for the first dimension to grow to 21 digits, then spaces and a newline so
    /// that the data starts at a multiple of 64 bytes after a preamble of `preambleLength` bytes.
    static func text(for shape: [Int], preambleLength: Int) -> [UInt8] {
        var dict = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeDescription(shape)), }"
        if let first = shape.first {
            dict += String(repeating: " ", count: max(0, 21 - String(first).count))
        }
        let length = dict.utf8.count + 1
        let padding = 64 - (preambleLength + length) % 64
        return Array(dict.utf8) + [UInt8](repeating: UInt8(ascii: " "), count: padding) + [UInt8(ascii: "\n")]
    }
}
