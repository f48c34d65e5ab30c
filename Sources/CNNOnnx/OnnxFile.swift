import CNNFormats
import Foundation
import SwiftProtobuf

/// An ONNX model decoded from its file and checked as a container: a graph, an operator set of
/// the default domain that cnnc knows. What the graph computes is the importer's business.
public struct OnnxFile: Sendable {
    /// The oldest and newest versions of the default (`ai.onnx`) operator set cnnc reads.
    public static let supportedOpsets = 7...23

    public var path: String
    package var model: Onnx_ModelProto
    /// The version of the default operator set the graph was written for.
    public var opset: Int

    public init(contentsOf path: String) throws(FileFormatError) {
        // The file's bytes live only as long as decoding needs them: the decoded model holds its
        // own copies of the weights.
        let bytes = try FileIO.readAll(path)
        try self.init(bytes, path: path)
    }

    /// Decodes a model held in memory; `path` only names it in errors.
    public init(_ bytes: [UInt8], path: String) throws(FileFormatError) {
        self.path = path
        if let signature = bytes.withUnsafeBytes({ FileSignature($0) }) {
            throw signature.mismatch(
                path: path, expected: "an ONNX model",
                advice: "cnnc import reads ONNX models (.onnx), as torch.onnx.export and tf2onnx write them")
        }
        do {
            var options = BinaryDecodingOptions()
            options.messageDepthLimit = 64
            model = try Onnx_ModelProto(serializedBytes: bytes, options: options)
        } catch {
            throw FileFormatError(path: path, message: "not an ONNX model: its protobuf does not decode (\(error))")
        }
        guard model.hasGraph, !model.graph.node.isEmpty else {
            throw FileFormatError(path: path, message: "the ONNX model has no graph, or an empty one")
        }
        guard let version = model.opsetImport.first(where: { $0.domain.isEmpty || $0.domain == "ai.onnx" })?.version
        else {
            throw FileFormatError(path: path, message: "the ONNX model names no version of the default operator set")
        }
        guard version >= Self.supportedOpsets.lowerBound && version <= Self.supportedOpsets.upperBound else {
            throw FileFormatError(
                path: path,
                message:
                    "the ONNX model uses operator set \(version); cnnc reads \(Self.supportedOpsets.lowerBound) to \(Self.supportedOpsets.upperBound)",
                notes: [
                    "onnx.version_converter.convert_version(model, 17) converts it to a version cnnc reads"
                ])
        }
        opset = Int(version)
    }

    /// `tensor` with the bytes it keeps in an external file (as torch.onnx.export's dynamo exporter
    /// writes large models: `model.onnx.data` beside `model.onnx`) read into it. Only a file in the
    /// model's folder or below it is read, and only the range the tensor names within that file.
    func loadingExternalData(_ tensor: Onnx_TensorProto) throws(ImportProblem) -> Onnx_TensorProto {
        let name = "tensor '\(tensor.name)'"
        var fields: [String: String] = [:]
        for entry in tensor.externalData { fields[entry.key] = entry.value }
        guard let location = fields["location"], !location.isEmpty else {
            throw ImportProblem("\(name) keeps its data in an external file but names none")
        }
        let parts = location.split(separator: "/", omittingEmptySubsequences: false)
        guard !location.hasPrefix("/"), !location.contains("\\"), !location.contains("\0"),
            !parts.contains(where: { $0 == ".." || $0.isEmpty })
        else {
            throw ImportProblem(
                "\(name) keeps its data in '\(location)', outside the model's folder, which cnnc does not read")
        }
        guard let offset = Int(fields["offset"] ?? "0"), offset >= 0,
            let length = fields["length"].map({ Int($0) }) ?? Optional(-1), length >= -1
        else {
            throw ImportProblem("\(name) names an external range that is not a pair of sizes")
        }
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let dataPath = "\(directory)/\(location)"
        guard let handle = FileHandle(forReadingAtPath: dataPath) else {
            throw ImportProblem(
                "\(name) keeps its data in '\(location)' beside the model, which cannot be read",
                note:
                    "copy that file next to the model, or save the model as one file with onnx.save_model(model, path, save_as_external_data=False)"
            )
        }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()).map { Int($0) } ?? 0
        let end = length == -1 ? size : offset + length
        guard offset <= size, end <= size, end >= offset else {
            throw ImportProblem("\(name) reads bytes \(offset)..<\(end) of '\(location)', which has \(size)")
        }
        let data: Data
        do {
            try handle.seek(toOffset: UInt64(offset))
            data = try handle.read(upToCount: end - offset) ?? Data()
        } catch {
            throw ImportProblem("\(name): reading '\(location)' failed: \(error.localizedDescription)")
        }
        guard data.count == end - offset else { throw ImportProblem("\(name): '\(location)' shrank while being read") }
        var loaded = tensor
        loaded.rawData = data
        loaded.dataLocation = .default
        loaded.externalData = []
        return loaded
    }

    /// Where the model came from, as its producer fields say: "pytorch 2.5.0", say.
    public var producer: String {
        [model.producerName, model.producerVersion].filter { !$0.isEmpty }.joined(separator: " ")
    }
}

/// A tensor whose values are known while importing: an initializer, a `Constant` node's value,
/// or a shape folded from sizes the importer knows.
struct Constant {
    enum Values {
        case floats([Float])
        case integers([Int])
    }

    var dims: [Int]
    var values: Values

    /// Stands for the batch size, which is not known until the model runs, in a folded shape.
    static let batch = Int.min

    var count: Int { dims.reduce(1, *) }

    /// Integers read from a file saturate at ±2^31: products of two stay far from overflow, and
    /// INT64_MAX, which exporters write for "to the end", stays larger than any size.
    static let integerLimit = 1 << 31

    static func saturated(_ value: Int64) -> Int {
        Int(max(min(value, Int64(integerLimit)), -Int64(integerLimit)))
    }

    var floats: [Float] {
        switch values {
        case .floats(let floats): floats
        case .integers(let integers): integers.map { Float($0) }
        }
    }

    /// The values as integers, or nil when some are fractional.
    var integers: [Int]? {
        switch values {
        case .integers(let integers): integers
        case .floats(let floats):
            floats.allSatisfy { $0.rounded() == $0 }
                ? floats.map { Int(max(min($0, Float(Self.integerLimit)), -Float(Self.integerLimit))) } : nil
        }
    }

    init(dims: [Int], values: Values) {
        self.dims = dims
        self.values = values
    }

    init(floats: [Float], dims: [Int]? = nil) {
        self.init(dims: dims ?? [floats.count], values: .floats(floats))
    }

    init(integers: [Int], dims: [Int]? = nil) {
        self.init(dims: dims ?? [integers.count], values: .integers(integers))
    }

    /// The values at flat `indices`.
    func picking(_ indices: [Int]) -> Values {
        switch values {
        case .floats(let values): .floats(indices.map { values[$0] })
        case .integers(let values): .integers(indices.map { values[$0] })
        }
    }

    /// The sub-tensor of the given indices along each axis.
    func picking(_ ranges: [[Int]]) -> Constant {
        var strides = [Int](repeating: 1, count: dims.count)
        for axis in stride(from: dims.count - 2, through: 0, by: -1) {
            strides[axis] = strides[axis + 1] * dims[axis + 1]
        }
        var flat: [Int] = [0]
        for (axis, range) in ranges.enumerated() {
            flat = flat.flatMap { base in range.map { base + $0 * strides[axis] } }
        }
        return Constant(dims: ranges.map(\.count), values: picking(flat))
    }

    /// The largest number of elements a tensor of the file may have (its data must hold them all).
    static let elementLimit = 1 << 28

    /// The largest constant the importer makes from a few bytes (`ConstantOfShape`): such constants
    /// are shapes and paddings, and a larger one is a way to make the importer allocate gigabytes.
    static let foldedLimit = 1 << 16

    /// Decodes an initializer or an attribute's tensor, checking its dimensions against the data
    /// it holds before allocating anything.
    init(_ tensor: Onnx_TensorProto) throws(ImportProblem) {
        let name = tensor.name.isEmpty ? "a tensor" : "tensor '\(tensor.name)'"
        if tensor.dataLocation == .external {
            throw ImportProblem(
                "\(name) keeps its data in an external file, which cnnc does not read",
                note: "onnx.save_model(model, path, save_as_external_data=False) writes one self-contained file")
        }
        if tensor.hasSegment { throw ImportProblem("\(name) is stored in segments, which cnnc does not read") }
        var count = 1
        for dim in tensor.dims {
            guard dim >= 0, dim <= Int64(Self.elementLimit) else {
                throw ImportProblem("\(name) has a dimension of \(dim)")
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(dim))
            guard !overflow, product <= Self.elementLimit else {
                throw ImportProblem("\(name) has shape \(tensor.dims), too many elements")
            }
            count = product
        }
        let shape = tensor.dims.map { Int($0) }
        let elements = count
        dims = shape

        let type = Onnx_TensorProto.DataType(rawValue: Int(tensor.dataType)) ?? .undefined
        let raw = tensor.rawData
        func checked<T>(_ typed: [T], bytesEach: Int) throws(ImportProblem) -> Int {
            let available = raw.isEmpty ? typed.count : raw.count / bytesEach
            guard available == elements, raw.isEmpty || raw.count % bytesEach == 0 else {
                throw ImportProblem("\(name) has shape \(shape) but holds \(available) values")
            }
            return elements
        }
        switch type {
        case .float:
            _ = try checked(tensor.floatData, bytesEach: 4)
            values = .floats(raw.isEmpty ? tensor.floatData : Self.littleEndian(raw, as: Float.self, count: count))
        case .double:
            _ = try checked(tensor.doubleData, bytesEach: 8)
            let doubles = raw.isEmpty ? tensor.doubleData : Self.littleEndian(raw, as: Double.self, count: count)
            values = .floats(doubles.map { Float($0) })
        case .float16, .bfloat16:
            // Both are stored as 16-bit patterns: in raw_data, or one per int32_data entry.
            _ = try checked(tensor.int32Data, bytesEach: 2)
            let bits =
                raw.isEmpty
                ? tensor.int32Data.map { UInt16(truncatingIfNeeded: $0) }
                : Self.littleEndian(raw, as: UInt16.self, count: count)
            values = .floats(bits.map { type == .float16 ? Self.halfToFloat($0) : Float(bitPattern: UInt32($0) << 16) })
        case .int64:
            _ = try checked(tensor.int64Data, bytesEach: 8)
            let integers = raw.isEmpty ? tensor.int64Data : Self.littleEndian(raw, as: Int64.self, count: count)
            values = .integers(integers.map(Self.saturated))
        case .int32, .int16, .int8, .uint8, .uint16, .bool:
            let size: Int =
                switch type {
                case .int32: 4
                case .int16, .uint16: 2
                default: 1
                }
            _ = try checked(tensor.int32Data, bytesEach: size)
            if !raw.isEmpty {
                values = .integers(
                    raw.withUnsafeBytes { bytes in
                        (0..<count).map { index -> Int in
                            switch type {
                            case .int32:
                                Int(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: index * 4, as: Int32.self)))
                            case .int16:
                                Int(Int16(littleEndian: bytes.loadUnaligned(fromByteOffset: index * 2, as: Int16.self)))
                            case .uint16:
                                Int(
                                    UInt16(
                                        littleEndian: bytes.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self)))
                            case .int8: Int(bytes.load(fromByteOffset: index, as: Int8.self))
                            default: Int(bytes[index])
                            }
                        }
                    })
            } else {
                values = .integers(tensor.int32Data.map { Int($0) })
            }
        default:
            throw ImportProblem("\(name) has element type \(type), which cnnc does not read")
        }
    }

    private static func littleEndian<T>(_ data: Data, as: T.Type, count: Int) -> [T] {
        [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            data.withUnsafeBytes { source in
                #if _endian(little)
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(
                        from: UnsafeRawBufferPointer(rebasing: source[..<(count * MemoryLayout<T>.size)]))
                #else
                    #error("cnnc reads ONNX tensors on little-endian machines only")
                #endif
            }
            initialized = count
        }
    }

    /// An IEEE 754 half-precision value, widened.
    static func halfToFloat(_ bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = Int(bits >> 10) & 0x1F
        let fraction = UInt32(bits & 0x3FF)
        if exponent == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | fraction << 13) }
        if exponent == 0 {
            let magnitude = Float(fraction) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        }
        return Float(bitPattern: sign | UInt32(exponent + 112) << 23 | fraction << 13)
    }
}

/// Why one node cannot be imported; the importer gathers them all into one error.
struct ImportProblem: Error {
    var message: String
    var note: String?

    init(_ message: String, note: String? = nil) {
        self.message = message
        self.note = note
    }
}

extension Onnx_NodeProto {
    /// How errors name the node: its name and operator, as Netron shows them.
    var label: String { name.isEmpty ? "a \(opType) node" : "node '\(name)' (\(opType))" }

    func attribute(_ key: String) -> Onnx_AttributeProto? { attribute.first { $0.name == key } }

    /// An integer attribute, saturated at ±2^31 (`Constant.saturated`).
    func int(_ key: String, default value: Int) -> Int {
        guard let attribute = attribute(key) else { return value }
        return Constant.saturated(attribute.i)
    }

    /// An integer-list attribute, each saturated at ±2^31 (`Constant.saturated`).
    func ints(_ key: String) -> [Int]? {
        guard let attribute = attribute(key) else { return nil }
        return attribute.ints.map(Constant.saturated)
    }

    func float(_ key: String, default value: Float) -> Float { attribute(key)?.f ?? value }

    func string(_ key: String, default value: String) -> String {
        guard let attribute = attribute(key) else { return value }
        return String(decoding: attribute.s, as: UTF8.self)
    }
}
