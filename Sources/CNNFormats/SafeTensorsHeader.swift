/// A safetensors header, read and checked: each tensor's dtype, shape and data offsets, and the
/// metadata strings. `validateLayout` then checks the offsets against the data buffer.
struct SafeTensorsHeader {
    /// One tensor's description: where its bytes are and how to read them.
    struct Entry {
        var name: String
        var dtype: String
        var layout: ScalarLayout
        var shape: [Int]
        /// The shape's product, known not to overflow.
        var count: Int
        /// Offsets of the tensor's bytes in the data buffer, `begin <= end`.
        var begin: Int
        var end: Int

        /// The shape as messages print it: `[3, 3, 1, 32]`.
        var shapeDescription: String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
        /// The offsets as messages print them: `[0, 1152]`.
        var offsetsDescription: String { "[\(begin), \(end)]" }
    }

    /// The tensors in header order.
    var entries: [Entry] = []
    /// The `__metadata__` strings.
    var metadata: [String: String] = [:]

    private static let layouts: [String: ScalarLayout] = [
        "F32": ScalarLayout(kind: .float32), "F16": ScalarLayout(kind: .float16),
        "BF16": ScalarLayout(kind: .bfloat16), "F64": ScalarLayout(kind: .float64),
    ]

    /// Parses the header's JSON bytes and checks each entry on its own.
    init(parsing bytes: [UInt8], path: String) throws(FileFormatError) {
        let problem = { (message: String) in FileFormatError(path: path, message: message) }
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            if let duplicate = error.duplicateKey {
                throw problem(
                    duplicate.depth == 1
                        ? "tensor '\(duplicate.key)' appears twice in the header"
                        : "header has the key \"\(duplicate.key)\" twice in one object (at byte \(error.offset))")
            }
            throw problem("header is not valid JSON: \(error.message) (at byte \(error.offset) of the header)")
        }
        guard case .object(let members) = root else {
            throw problem("header is \(root.kindDescription), not a JSON object of tensors")
        }
        for (name, value) in members {
            if name == "__metadata__" {
                metadata = try Self.metadata(from: value, path: path)
            } else {
                entries.append(try Self.entry(name, from: value, path: path))
            }
        }
    }

    private static func metadata(from value: JSONValue, path: String) throws(FileFormatError) -> [String: String] {
        guard case .object(let members) = value else {
            throw FileFormatError(
                path: path, message: "__metadata__ is \(value.kindDescription), not an object of strings")
        }
        var metadata: [String: String] = [:]
        for (key, value) in members {
            guard case .string(let text) = value else {
                throw FileFormatError(
                    path: path, message: "__metadata__ entry '\(key)' is \(value.kindDescription), not a string")
            }
            metadata[key] = text
        }
        return metadata
    }

    private static func entry(_ name: String, from value: JSONValue, path: String) throws(FileFormatError) -> Entry {
        let problem = { (message: String) in FileFormatError(path: path, message: "tensor '\(name)' " + message) }
        guard case .object(let members) = value else {
            throw problem("is described by \(value.kindDescription), not an object with dtype, shape and data_offsets")
        }
        var fields: [String: JSONValue] = [:]
        for (key, value) in members {
            guard ["dtype", "shape", "data_offsets"].contains(key) else {
                throw problem("has unknown key '\(key)'; expected dtype, shape and data_offsets")
            }
            fields[key] = value
        }
        guard let dtypeValue = fields["dtype"], let shapeValue = fields["shape"],
            let offsetsValue = fields["data_offsets"]
        else {
            let missing = ["dtype", "shape", "data_offsets"].filter { fields[$0] == nil }
            throw problem("lacks " + missing.map { "'\($0)'" }.joined(separator: " and "))
        }

        guard case .string(let dtype) = dtypeValue else {
            throw problem("has dtype \(dtypeValue.kindDescription), not a string like \"F32\"")
        }
        guard let layout = layouts[dtype] else {
            throw problem("has dtype \(dtype), which cnnc does not read; it reads F32, F16, BF16 and F64")
        }
        guard case .array(let dimensionValues) = shapeValue else {
            throw problem("has shape \(shapeValue.kindDescription), not an array of dimensions")
        }
        var shape: [Int] = []
        for dimension in dimensionValues {
            shape.append(try nonNegativeInteger(dimension, what: "dimension", in: "its shape", problem: problem))
        }
        guard case .array(let offsetValues) = offsetsValue, offsetValues.count == 2 else {
            throw problem("has data_offsets \(offsetsValue.kindDescription), not an array [begin, end]")
        }
        let begin = try nonNegativeInteger(offsetValues[0], what: "offset", in: "data_offsets", problem: problem)
        let end = try nonNegativeInteger(offsetValues[1], what: "offset", in: "data_offsets", problem: problem)
        var entry = Entry(name: name, dtype: dtype, layout: layout, shape: shape, count: 0, begin: begin, end: end)

        guard let count = Checked.elementCount(shape), let size = Checked.byteCount(count, size: layout.size) else {
            throw problem("has shape \(entry.shapeDescription), whose size overflows")
        }
        entry.count = count
        guard begin <= end else {
            throw problem("has data_offsets \(entry.offsetsDescription), which end before they begin")
        }
        guard end - begin == size else {
            throw problem(
                "has data_offsets \(entry.offsetsDescription) but shape \(entry.shapeDescription) in \(dtype) "
                    + "needs \(size) bytes")
        }
        return entry
    }

    /// `value` as an `Int` that is zero or more, or an error naming `what` it should have been.
    private static func nonNegativeInteger(
        _ value: JSONValue, what: String, in place: String, problem: (String) -> FileFormatError
    ) throws(FileFormatError) -> Int {
        guard value.isIntegerLiteral else {
            throw problem("has \(value.kindDescription) in \(place); each \(what) must be a non-negative integer")
        }
        guard let integer = value.integer else {
            throw problem("has \(value.kindDescription) in \(place), which is too large")
        }
        guard integer >= 0 else {
            throw problem("has negative \(what) \(integer) in \(place)")
        }
        return integer
    }
}
