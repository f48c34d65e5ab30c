import CNNFormats
import Foundation
import Testing

/// Every way a `.npy` file can be wrong is an error that says how.
@Suite struct NumPyRobustnessTests {
    /// A version 1.0 file whose header dict has these `descr`, `fortran_order` and `shape` texts.
    private func file(
        descr: String = "'<f4'", fortranOrder: String = "False", shape: String = "(2,)",
        data: [UInt8] = float32Bytes([1, 2])
    ) -> [UInt8] {
        npyFile(header: "{'descr': \(descr), 'fortran_order': \(fortranOrder), 'shape': \(shape), }\n", data: data)
    }

    @Test func badMagic() {
        expectNumPyFailure(Array("PK\u{3}\u{4}0000000000".utf8), "this is a zip archive", "not a NumPy .npy file")
        expectNumPyFailure(Array("GIF89a0000000000".utf8), "not a NumPy .npy file", "\\x93NUMPY")
        expectNumPyFailure([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x58, 1, 0, 0, 0], "not a NumPy .npy file")
        expectNumPyFailure([0x00], "not a NumPy .npy file")
    }

    @Test func truncatedPreamble() {
        expectNumPyFailure([], "0 bytes long", "too short")
        expectNumPyFailure([0x93] + Array("NUMPY".utf8) + [1], "7 bytes long", "too short")
        expectNumPyFailure([0x93] + Array("NUMPY".utf8) + [2, 0, 5, 0, 0], "11 bytes long", "truncated")
    }

    @Test(arguments: [(4, 0), (1, 1), (0, 0), (255, 255)])
    func unsupportedVersions(major: UInt8, minor: UInt8) {
        expectNumPyFailure(
            [0x93] + Array("NUMPY".utf8) + [major, minor, 0, 0, 0, 0],
            "unsupported .npy format version \(major).\(minor)", "1.0, 2.0 and 3.0")
    }

    @Test func headerLengthPastTheEndOfTheFile() {
        let bytes = [0x93] + Array("NUMPY".utf8) + [1, 0, 0xff, 0xff] + Array("{}".utf8)
        expectNumPyFailure(bytes, "header length 65535 runs past the end of the file", "2 bytes")
        let version2 = [0x93] + Array("NUMPY".utf8) + [2, 0, 0xff, 0xff, 0xff, 0xff]
        expectNumPyFailure(version2, "header length 4294967295 runs past the end of the file")
    }

    @Test func headerNotADictLiteral() {
        expectNumPyFailure(npyFile(header: "[1, 2]"), "header is [1, 2], not a dict")
        expectNumPyFailure(npyFile(header: "{'descr': '<f4'"), "not a Python dict literal", "end of the header")
        expectNumPyFailure(npyFile(header: "{'descr': '<f4} "), "string never ends")
        expectNumPyFailure(npyFile(header: "{'descr' '<f4'}"), "expected ':' after a key")
        expectNumPyFailure(npyFile(header: "{} {}"), "after the dict")
        expectNumPyFailure(npyFile(header: "{'descr': '<f4' 'shape': ()}"), #"unexpected "'", expected ',' or '}'"#)
        expectNumPyFailure(npyFile(header: "{'descr': Truth}"), "expected a value")
        expectNumPyFailure(npyFile(header: "{'descr': 'a\\q'}"), "unsupported escape")
        expectNumPyFailure(npyFile(header: "{'shape': (2.5,)}"), "not an integer")
    }

    @Test func deeplyNestedHeaderDoesNotOverflowTheStack() {
        let header = "{'shape': " + String(repeating: "(", count: 50_000) + String(repeating: ")", count: 50_000) + "}"
        expectNumPyFailure(npyFile(version: 2, header: header), "nest deeper than 32 levels")
    }

    @Test func unknownMissingAndRepeatedKeys() {
        let unknown = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'order': 'C'}"
        expectNumPyFailure(npyFile(header: unknown), "unknown key 'order'")
        expectNumPyFailure(npyFile(header: "{1: 2}"), "unknown key 1")
        expectNumPyFailure(npyFile(header: "{'descr': '<f4', 'shape': (2,)}"), "lacks the key 'fortran_order'")
        let repeated = "{'descr': '<f4', 'descr': '<f8', 'fortran_order': False, 'shape': (2,)}"
        expectNumPyFailure(npyFile(header: repeated), "the key 'descr' twice")
    }

    @Test(arguments: ["'<i8'", "'<f2'", "'|O'", "'<U3'", "'f4'", "'=f4'", "'<c8'"])
    func unsupportedDTypes(descr: String) {
        expectNumPyFailure(file(descr: descr), "dtype \(descr) is not supported", "'<f4'", "'<f8'", "'|u1'")
    }

    @Test func structuredDTypes() {
        expectNumPyFailure(file(descr: "[('x', '<f4'), ('y', '<f4')]"), "[('x', '<f4'), ('y', '<f4')]", "structured")
        expectNumPyFailure(file(descr: "None"), "dtype None")
    }

    @Test func fortranOrder() {
        expectNumPyFailure(file(fortranOrder: "True"), "Fortran", "C order", "numpy.ascontiguousarray")
        expectNumPyFailure(file(fortranOrder: "0"), "fortran_order is 0, not True or False")
    }

    @Test func badShapes() {
        expectNumPyFailure(file(shape: "[2]"), "shape is [2], not a tuple")
        expectNumPyFailure(file(shape: "2"), "shape is 2, not a tuple")
        expectNumPyFailure(file(shape: "(2)"), "shape is 2, not a tuple")
        expectNumPyFailure(file(shape: "(-2,)"), "negative dimension -2")
        expectNumPyFailure(file(shape: "('2',)"), "shape has '2'", "non-negative integer")
        expectNumPyFailure(file(shape: "(99999999999999999999,)"), "99999999999999999999", "too large")
        expectNumPyFailure(
            file(shape: "(4294967296, 4294967296, 0)", data: []), "(4294967296, 4294967296, 0)", "overflows")
        expectNumPyFailure(file(descr: "'<f8'", shape: "(2305843009213693952,)"), "overflows")
    }

    @Test func dataOfTheWrongLength() {
        expectNumPyFailure(
            file(data: float32Bytes([1])), "data is truncated", "shape (2,) of '<f4' needs 8 bytes", "has 4 after")
        expectNumPyFailure(file(shape: "(3, 4)", data: []), "shape (3, 4) of '<f4' needs 48 bytes but the file has 0")
        expectNumPyFailure(file(data: float32Bytes([1, 2, 3])), "file has 4 bytes after the data")
    }

    @Test func version3HeaderNotUTF8() {
        let header = Array("{'descr': '".utf8) + [0xc3, 0x28] + Array("'}".utf8)
        let bytes = [0x93] + Array("NUMPY".utf8) + [3, 0] + littleEndian(UInt32(header.count)) + header
        expectNumPyFailure(bytes, "header is not valid UTF-8", "byte 11")
    }

    @Test func missingFileAndDirectory() throws {
        expectFailure(path: "/nonexistent/input.npy", ["no such file"]) { () throws(FileFormatError) in
            _ = try NumPyArray.read(contentsOf: "/nonexistent/input.npy")
        }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        expectFailure(path: directory.path, ["it is a directory"]) { () throws(FileFormatError) in
            _ = try NumPyArray.read(contentsOf: directory.path)
        }
    }
}
