import CNNFormats
import Foundation
import Testing

/// Every way a safetensors file can be wrong is an error that says how, and names the tensor.
@Suite struct SafeTensorsRobustnessTests {
    /// A file with one F32 tensor `t` described by `info` (a JSON object's members) over `data`.
    private func file(_ info: String, data: [UInt8] = float32Bytes([1, 2])) -> [UInt8] {
        safetensorsFile(header: #"{"t":{\#(info)}}"#, data: data)
    }

    @Test func fileShorterThanTheHeaderLength() {
        expectSafeTensorsFailure([], "0 bytes long", "too short")
        expectSafeTensorsFailure([1, 0, 0], "3 bytes long", "too short")
    }

    @Test func headerLengthPastTheEndOfTheFile() {
        let bytes = littleEndian(UInt64(1000)) + Array(#"{"a": 1}"#.utf8)
        expectSafeTensorsFailure(bytes, "header length 1000 runs past the end of the file", "8 bytes", "truncated")
    }

    @Test func absurdHeaderLengths() {
        expectSafeTensorsFailure(littleEndian(UInt64(1) << 63) + [0x7b], "9223372036854775808", "100 MB limit")
        expectSafeTensorsFailure(littleEndian(UInt64.max), "18446744073709551615", "100 MB limit")
        expectSafeTensorsFailure(littleEndian(UInt64(100_000_001)), "100000001", "100 MB limit")
    }

    @Test func headerNotUTF8() {
        let bytes = littleEndian(UInt64(6)) + [0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]
        expectSafeTensorsFailure(bytes, "not valid UTF-8", "byte 2 of the header")
    }

    @Test func headerNotJSON() {
        expectSafeTensorsFailure(safetensorsFile(header: #"{"t": }"#), "not valid JSON", "expected a value", "byte 6")
        expectSafeTensorsFailure(safetensorsFile(header: #"{"t": {}"#), "not valid JSON", "end of the header")
        expectSafeTensorsFailure(safetensorsFile(header: "{} x"), "not valid JSON", "'x' after the JSON value")
        expectSafeTensorsFailure(safetensorsFile(header: ""), "not valid JSON", "expected a value")
        expectSafeTensorsFailure(safetensorsFile(header: #"{"a":tru}"#), "not valid JSON")
        expectSafeTensorsFailure(safetensorsFile(header: #"{"a":01}"#), "leading zeros")
        expectSafeTensorsFailure(safetensorsFile(header: "{\"a\":\"x\ny\"}"), "control character 0x0a")
        expectSafeTensorsFailure(safetensorsFile(header: #"{"a":"\q"}"#), #"invalid escape '\q'"#)
        expectSafeTensorsFailure(safetensorsFile(header: #"{"a":"\ud800"}"#), "unpaired surrogate")
        expectSafeTensorsFailure(safetensorsFile(header: #"{"a":"\u12"}"#), "four hexadecimal digits")
    }

    @Test func deeplyNestedHeaderDoesNotOverflowTheStack() {
        let depth = 100_000
        let header = #"{"t":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
        expectSafeTensorsFailure(safetensorsFile(header: header), "nest deeper than 64 levels")
    }

    @Test func wrongJSONTypes() {
        expectSafeTensorsFailure(safetensorsFile(header: "[]"), "header is an array, not a JSON object")
        expectSafeTensorsFailure(safetensorsFile(header: #"{"t": 3}"#), "tensor 't' is described by the number 3")
        expectSafeTensorsFailure(
            file(#""dtype":32,"shape":[2],"data_offsets":[0,8]"#), "tensor 't'", "dtype the number 32")
        expectSafeTensorsFailure(
            file(#""dtype":"F32","shape":2,"data_offsets":[0,8]"#), "tensor 't' has shape the number 2")
        expectSafeTensorsFailure(file(#""dtype":"F32","shape":[2],"data_offsets":{}"#), "not an array [begin, end]")
        expectSafeTensorsFailure(
            file(#""dtype":"F32","shape":[2],"data_offsets":[0,8,9]"#), "not an array [begin, end]")
        expectSafeTensorsFailure(
            file(#""dtype":"F32","shape":[2],"data_offsets":[0,"8"]"#), #"the string "8" in data_offsets"#)
        expectSafeTensorsFailure(safetensorsFile(header: #"{"__metadata__":[]}"#), "__metadata__ is an array")
        expectSafeTensorsFailure(
            safetensorsFile(header: #"{"__metadata__":{"k":1}}"#), "__metadata__ entry 'k' is the number 1")
    }

    @Test func unknownAndMissingKeys() {
        expectSafeTensorsFailure(
            file(#""dtype":"F32","shape":[2],"data_offsets":[0,8],"offsets":[0,8]"#),
            "tensor 't' has unknown key 'offsets'")
        expectSafeTensorsFailure(file(#""dtype":"F32""#), "tensor 't' lacks 'shape' and 'data_offsets'")
        expectSafeTensorsFailure(
            file(#""dtype":"F32","dtype":"F32","shape":[2],"data_offsets":[0,8]"#),
            #"the key "dtype" twice in one object"#)
    }

    @Test func badDimensions() {
        expectSafeTensorsFailure(
            file(#""dtype":"F32","shape":[-2],"data_offsets":[0,8]"#), "tensor 't' has negative dimension -2")
        expectSafeTensorsFailure(
            file(#""dtype":"F32","shape":[2.0],"data_offsets":[0,8]"#), "the number 2.0", "non-negative integer")
        expectSafeTensorsFailure(file(#""dtype":"F32","shape":[2e0],"data_offsets":[0,8]"#), "the number 2e0")
        expectSafeTensorsFailure(file(#""dtype":"F32","shape":[null],"data_offsets":[0,8]"#), "null in its shape")
        expectSafeTensorsFailure(
            file(#""dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,8]"#), "99999999999999999999",
            "too large")
    }

    @Test func shapeProductOverflow() {
        let huge = #""dtype":"F32","shape":[4294967296,4294967296,0],"data_offsets":[0,0]"#
        expectSafeTensorsFailure(file(huge, data: []), "tensor 't' has shape [4294967296, 4294967296, 0]", "overflows")
        let bytesOverflow = #""dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,8]"#
        expectSafeTensorsFailure(file(bytesOverflow), "overflows")
    }

    @Test func offsetsReversedOrOfTheWrongLength() {
        expectSafeTensorsFailure(
            file(#""dtype":"F32","shape":[2],"data_offsets":[8,0]"#), "[8, 0], which end before they begin")
        expectSafeTensorsFailure(file(#""dtype":"F32","shape":[2],"data_offsets":[-1,7]"#), "negative offset -1")
        let kernel = #"{"conv2d.kernel":{"dtype":"F32","shape":[3,3,1,32],"data_offsets":[0,100]}}"#
        expectSafeTensorsFailure(
            safetensorsFile(header: kernel, data: Array(repeating: 0, count: 100)),
            "tensor 'conv2d.kernel' has data_offsets [0, 100] but shape [3, 3, 1, 32] in F32 needs 1152 bytes")
    }

    @Test func offsetsPastTheBuffer() {
        expectSafeTensorsFailure(
            file(#""dtype":"F32","shape":[2],"data_offsets":[0,8]"#, data: [0, 0, 0, 0]),
            "tensor 't' has data_offsets [0, 8] but the data buffer has only 4 bytes", "truncated")
    }

    @Test func overlappingTensors() {
        let header =
            #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"#
            + #""b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        expectSafeTensorsFailure(
            safetensorsFile(header: header, data: float32Bytes([1, 2])),
            "tensor 'b' has data_offsets [4, 8], which overlap tensor 'a' at [0, 8]")
    }

    @Test func holesInTheBuffer() {
        let gap =
            #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"#
            + #""b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#
        expectSafeTensorsFailure(
            safetensorsFile(header: gap, data: float32Bytes([1, 2, 3])),
            "bytes 4 to 8 of the data buffer belong to no tensor", "between tensor 'a' and tensor 'b'")
        expectSafeTensorsFailure(
            file(#""dtype":"F32","shape":[1],"data_offsets":[4,8]"#), "bytes 0 to 4", "before tensor 't'")
        expectSafeTensorsFailure(
            file(#""dtype":"F32","shape":[1],"data_offsets":[0,4]"#), "bytes 4 to 8", "after the last one")
        expectSafeTensorsFailure(safetensorsFile(header: "{}", data: [1]), "bytes 0 to 1", "belong to no tensor")
    }

    @Test func duplicateTensorNames() {
        let header =
            #"{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"#
            + #""t":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        expectSafeTensorsFailure(
            safetensorsFile(header: header, data: float32Bytes([1, 2])), "tensor 't' appears twice")
    }

    @Test(arguments: ["I64", "U8", "F8_E4M3", "BOOL", "f32", "C64"])
    func unsupportedDTypes(dtype: String) {
        expectSafeTensorsFailure(
            file(#""dtype":"\#(dtype)","shape":[2],"data_offsets":[0,8]"#),
            "tensor 't' has dtype \(dtype)", "cnnc does not read", "F32, F16, BF16 and F64")
    }

    @Test func missingFileAndDirectory() throws {
        expectFailure(path: "/nonexistent/w.safetensors", ["no such file"]) { () throws(FileFormatError) in
            _ = try SafeTensors.read(contentsOf: "/nonexistent/w.safetensors")
        }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        expectFailure(path: directory.path, ["it is a directory"]) { () throws(FileFormatError) in
            _ = try SafeTensors.read(contentsOf: directory.path)
        }
        let target = directory.appendingPathComponent("missing/w.safetensors").path
        expectFailure(path: target, ["no such directory"]) { () throws(FileFormatError) in
            try SafeTensors.write([:], to: target)
        }
    }
}
