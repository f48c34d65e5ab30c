import CNNFormats
import Foundation
import Testing

/// Reading and writing well-formed safetensors files: round trips, the reference writer's layout and
/// the conversion of each dtype.
@Suite struct SafeTensorsTests {
    static let sample: [String: Tensor] = [
        "conv2d.kernel": Tensor(shape: [3, 3, 1, 2], scalars: (0..<18).map { Float($0) * 0.5 - 4 }),
        "conv2d.bias": Tensor(shape: [2], scalars: [-1.5, .infinity]),
        "scalar": Tensor(shape: [], scalars: [42]),
        "empty": Tensor(shape: [0, 7], scalars: []),
        "zero_rank_one": Tensor(shape: [0], scalars: []),
        "tiny": Tensor(shape: [1, 1, 1], scalars: [.leastNonzeroMagnitude]),
    ]

    @Test func roundTripsShapesIncludingScalarsAndEmptyTensors() throws {
        let bytes = SafeTensors.encode(Self.sample)
        #expect(try decodeSafeTensors(bytes) == Self.sample)
    }

    @Test func roundTripsEmptyFile() throws {
        let bytes = SafeTensors.encode([:])
        #expect(bytes == littleEndian(UInt64(8)) + Array("{}      ".utf8))
        #expect(try decodeSafeTensors(bytes).isEmpty)
    }

    /// A header of 640 bytes (0x280) starts the file with 0x80 0x02, as a pickle of protocol 2 does.
    @Test func readsAHeaderWhoseLengthLooksLikeAPickle() throws {
        var header = Array(#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#.utf8)
        header += [UInt8](repeating: UInt8(ascii: " "), count: 640 - header.count)
        let bytes = littleEndian(UInt64(640)) + header + littleEndian(Float(2.5).bitPattern)
        #expect(bytes[0] == 0x80 && bytes[1] == 0x02)
        #expect(try decodeSafeTensors(bytes) == ["x": Tensor(shape: [1], scalars: [2.5])])
    }

    @Test func roundTripsNaNBitPatterns() throws {
        let nan = Float(bitPattern: 0x7fc0_1234)
        let decoded = try decodeSafeTensors(SafeTensors.encode(["x": Tensor(shape: [1], scalars: [nan])]))
        #expect(decoded["x"]?.scalars.first?.bitPattern == nan.bitPattern)
    }

    @Test func encodesLikeTheReferenceWriter() {
        let tensors = ["b": Tensor(shape: [2], scalars: [1, 2]), "a": Tensor(shape: [], scalars: [3])]
        let header =
            #"{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"#
            + #""b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        let padded = header + String(repeating: " ", count: (8 - header.utf8.count % 8) % 8)
        let expected = littleEndian(UInt64(padded.utf8.count)) + Array(padded.utf8) + float32Bytes([3, 1, 2])
        #expect(SafeTensors.encode(tensors) == expected)
    }

    @Test func roundTripsMetadataWrittenFirst() throws {
        let metadata = ["format": "pt", "note": "quote \" backslash \\ newline \n tab \t bell \u{7} é"]
        let bytes = SafeTensors.encode(["w": Tensor(shape: [1], scalars: [1])], metadata: metadata)
        let headerText = String(decoding: bytes[8..<bytes.count - 4], as: UTF8.self)
        #expect(headerText.hasPrefix(#"{"__metadata__":{"format":"pt","note":"quote \" backslash \\ newline \n"#))
        #expect(headerText.contains(#"bell \u0007"#))
        #expect((bytes.count - 8 - 4) % 8 == 0)
        let decoded = try bytes.withUnsafeBytes { buffer in
            Result { () throws(FileFormatError) in try SafeTensors.decodeWithMetadata(buffer, path: "m") }
        }.get()
        #expect(decoded.metadata == metadata)
        #expect(decoded.tensors == ["w": Tensor(shape: [1], scalars: [1])])
    }

    @Test func writesAndReadsFiles() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("w.safetensors").path
        try SafeTensors.write(Self.sample, to: path, metadata: ["k": "v"])
        #expect(try SafeTensors.read(contentsOf: path) == Self.sample)
        #expect(try SafeTensors.readWithMetadata(contentsOf: path).metadata == ["k": "v"])
    }

    @Test func convertsFloat16IncludingSubnormalsAndInfinities() throws {
        let halves: [UInt16] = [0x3c00, 0xc000, 0x0001, 0x03ff, 0x7bff, 0x7c00, 0xfc00, 0x8000, 0x3555]
        let header = #"{"h":{"dtype":"F16","shape":[9],"data_offsets":[0,18]}}"#
        let tensor = try #require(
            try decodeSafeTensors(safetensorsFile(header: header, data: halves.flatMap(littleEndian)))["h"])
        let expected: [Float] = [1, -2, 0x1p-24, 1023 * 0x1p-24, 65504, .infinity, -.infinity, -0.0, 0.333251953125]
        #expect(tensor.scalars == expected)
        #expect(tensor.scalars[7].sign == .minus)
    }

    @Test func convertsFloat16NaN() throws {
        let header = #"{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#
        let data = littleEndian(UInt16(0x7e00)) + littleEndian(UInt16(0xfc01))
        let tensor = try #require(try decodeSafeTensors(safetensorsFile(header: header, data: data))["h"])
        #expect(tensor.scalars.allSatisfy { $0.isNaN })
    }

    @Test func convertsBFloat16() throws {
        let bits: [UInt16] = [0x3f80, 0xc040, 0x4049, 0x7f80, 0x0001]
        let header = #"{"b":{"dtype":"BF16","shape":[5],"data_offsets":[0,10]}}"#
        let tensor = try #require(
            try decodeSafeTensors(safetensorsFile(header: header, data: bits.flatMap(littleEndian)))["b"])
        #expect(tensor.scalars == [1, -3, 3.140625, .infinity, Float(bitPattern: 0x0001_0000)])
    }

    @Test func convertsFloat64() throws {
        let values: [Double] = [0.1, -2.5, 1e300, 1e-50]
        let header = #"{"d":{"dtype":"F64","shape":[2,2],"data_offsets":[0,32]}}"#
        let data = values.flatMap { littleEndian($0.bitPattern) }
        let tensor = try #require(try decodeSafeTensors(safetensorsFile(header: header, data: data))["d"])
        #expect(tensor.shape == [2, 2])
        #expect(tensor.scalars == [Float(0.1), -2.5, .infinity, 0])
    }

    @Test func readsMixedDTypesInAnyOrderWithWhitespaceAndPadding() throws {
        let header = """
            { "__metadata__" : { } , "b" : { "shape" : [ 1 ] , "data_offsets" : [ 4 , 6 ] , "dtype" : "F16" },
              "a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]} }\("   ")
            """
        let data = float32Bytes([7]) + littleEndian(UInt16(0x3c00))
        let tensors = try decodeSafeTensors(safetensorsFile(header: header, data: data))
        #expect(tensors == ["a": Tensor(shape: [1], scalars: [7]), "b": Tensor(shape: [1], scalars: [1])])
    }

    @Test func readsTensorNamesWithEscapes() throws {
        let header = #"{"a\"b\\c\u00e9\ud83d\ude00":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}"#
        let tensors = try decodeSafeTensors(safetensorsFile(header: header, data: float32Bytes([1])))
        #expect(Array(tensors.keys) == ["a\"b\\cé😀"])
    }
}
