import CNNFormats
import Foundation
import Testing

/// Where the conformance corpus is: `CNNC_CONFORMANCE`, or `shared/conformance` beside the package.
enum Corpus {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let root: URL = {
        if let override = ProcessInfo.processInfo.environment["CNNC_CONFORMANCE"] {
            return URL(fileURLWithPath: override)
        }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/conformance")
    }()

    /// The reference directories that hold weights, sorted by name.
    static var referenceDirectories: [URL] {
        let refs = root.appendingPathComponent("refs")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: refs.path)) ?? []
        return names.sorted().map { refs.appendingPathComponent($0) }.filter {
            FileManager.default.fileExists(atPath: $0.appendingPathComponent("weights.safetensors").path)
        }
    }
}

/// A fresh temporary directory, removed by the caller.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("cnnformats-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Bytes in little-endian order, for building fixtures by hand.
func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.littleEndian) { Array($0) }
}

/// The float32 scalars' little-endian bytes.
func float32Bytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { littleEndian($0.bitPattern) }
}

/// A safetensors file from a header text (not padded) and a data buffer.
func safetensorsFile(header: String, data: [UInt8] = []) -> [UInt8] {
    littleEndian(UInt64(header.utf8.count)) + Array(header.utf8) + data
}

/// A `.npy` file from a version, a header text (not padded) and the data.
func npyFile(version: UInt8 = 1, header: String, data: [UInt8] = []) -> [UInt8] {
    let text = Array(header.utf8)
    let length = version == 1 ? littleEndian(UInt16(text.count)) : littleEndian(UInt32(text.count))
    return [0x93] + Array("NUMPY".utf8) + [version, 0] + length + text + data
}

/// Decodes bytes held in memory as the file `test.safetensors`.
func decodeSafeTensors(_ bytes: [UInt8]) throws(FileFormatError) -> [String: Tensor] {
    try bytes.withUnsafeBytes { buffer in
        Result { () throws(FileFormatError) in try SafeTensors.decode(buffer, path: "test.safetensors") }
    }.get()
}

/// Decodes bytes held in memory as the file `test.npy`.
func decodeNumPy(_ bytes: [UInt8]) throws(FileFormatError) -> Tensor {
    try bytes.withUnsafeBytes { buffer in
        Result { () throws(FileFormatError) in try NumPyArray.decode(buffer, path: "test.npy") }
    }.get()
}

/// Expects `body` to throw a `FileFormatError` for `path` whose message contains every phrase.
func expectFailure(
    path: String, _ phrases: [String], sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws(FileFormatError) -> Void
) {
    do {
        try body()
        Issue.record("expected an error containing \(phrases)", sourceLocation: sourceLocation)
    } catch {
        #expect(error.path == path, sourceLocation: sourceLocation)
        #expect(error.description.hasPrefix("\(path): error: "), sourceLocation: sourceLocation)
        for phrase in phrases {
            #expect(error.message.contains(phrase), "\(error.message)", sourceLocation: sourceLocation)
        }
    }
}

/// Expects decoding `bytes` as safetensors to fail with a message containing every phrase.
func expectSafeTensorsFailure(
    _ bytes: [UInt8], _ phrases: String..., sourceLocation: SourceLocation = #_sourceLocation
) {
    expectFailure(path: "test.safetensors", phrases, sourceLocation: sourceLocation) { () throws(FileFormatError) in
        _ = try decodeSafeTensors(bytes)
    }
}

/// Expects decoding `bytes` as `.npy` to fail with a message containing every phrase.
func expectNumPyFailure(_ bytes: [UInt8], _ phrases: String..., sourceLocation: SourceLocation = #_sourceLocation) {
    expectFailure(path: "test.npy", phrases, sourceLocation: sourceLocation) { () throws(FileFormatError) in
        _ = try decodeNumPy(bytes)
    }
}
