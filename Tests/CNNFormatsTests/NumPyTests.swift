import CNNFormats
import Foundation
import Testing

/// Reading and writing well-formed `.npy` files: numpy's exact layout, round trips, each accepted
/// dtype and byte order, and versions 1.0 to 3.0.
@Suite struct NumPyTests {
    static let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"

    @Test(arguments: [[], [0], [3], [2, 3], [3, 12, 12, 1], [1, 0, 5], [2, 1, 1, 1, 1, 1, 2]])
    func roundTrips(shape: [Int]) throws {
        let count = shape.reduce(1, *)
        let tensor = Tensor(shape: shape, scalars: (0..<count).map { Float($0) * 0.25 - 1 })
        let bytes = NumPyArray.encode(tensor)
        #expect(try decodeNumPy(bytes) == tensor)
        #expect((bytes.count - count * 4) % 64 == 0, "data starts at a multiple of 64 bytes")
        #expect(bytes[bytes.count - count * 4 - 1] == UInt8(ascii: "\n"))
    }

    @Test func encodesLikeNumPy() {
        // Bytes of `numpy.save(f, numpy.array([1.5, 2], dtype='<f4'))`: the dict, room for the
        // first dimension to grow to 21 digits, padding to 64 bytes and a newline.
        let dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"
        let text = dict + String(repeating: " ", count: 128 - 10 - dict.utf8.count - 1) + "\n"
        let expected = npyFile(header: text, data: float32Bytes([1.5, 2]))
        #expect(NumPyArray.encode(Tensor(shape: [2], scalars: [1.5, 2])) == expected)
        #expect(expected[8] == 118)
    }

    @Test func encodesScalarsWithAnEmptyTuple() {
        let bytes = NumPyArray.encode(Tensor(shape: [], scalars: [7]))
        let text = String(decoding: bytes[10..<bytes.count - 4], as: UTF8.self)
        #expect(text.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (), }   "))
        #expect(bytes.count == 132)
    }

    @Test func writesAndReadsFiles() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("x.npy").path
        let tensor = Tensor(shape: [2, 2], scalars: [1, -2, .infinity, 0.5])
        try NumPyArray.write(tensor, to: path)
        #expect(try NumPyArray.read(contentsOf: path) == tensor)
    }

    @Test func readsBigEndianFloat32() throws {
        let header = "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }\n"
        let tensor = try decodeNumPy(npyFile(header: header, data: [0x3f, 0x80, 0, 0, 0x40, 0x49, 0x0f, 0xdb]))
        #expect(tensor == Tensor(shape: [2], scalars: [1, Float(bitPattern: 0x4049_0fdb)]))
    }

    @Test func readsFloat64InBothByteOrders() throws {
        let values: [Double] = [0.1, -3, 1e300]
        let little = values.flatMap { littleEndian($0.bitPattern) }
        let big = values.flatMap { withUnsafeBytes(of: $0.bitPattern.bigEndian) { Array($0) } }
        for (descr, data) in [("<f8", little), (">f8", big)] {
            let header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (3,), }\n"
            #expect(try decodeNumPy(npyFile(header: header, data: data)).scalars == [Float(0.1), -3, .infinity])
        }
    }

    @Test(arguments: ["|u1", "u1", "<u1"])
    func readsUInt8(descr: String) throws {
        let header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (1, 3), }\n"
        let tensor = try decodeNumPy(npyFile(header: header, data: [0, 128, 255]))
        #expect(tensor == Tensor(shape: [1, 3], scalars: [0, 128, 255]))
    }

    @Test func readsVersion2And3Headers() throws {
        let dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"
        let text = dict + String(repeating: " ", count: 128 - 12 - dict.utf8.count - 1) + "\n"
        for version: UInt8 in [2, 3] {
            let bytes = npyFile(version: version, header: text, data: float32Bytes([1.5, 2]))
            #expect(Array(bytes[8..<12]) == [116, 0, 0, 0])
            #expect(try decodeNumPy(bytes) == Tensor(shape: [2], scalars: [1.5, 2]))
        }
    }

    @Test func version3HeaderIsUTF8() {
        let header = "{'descr': [('é', '<f4')], 'fortran_order': False, 'shape': (1,), }\n"
        let bytes = npyFile(version: 3, header: header, data: float32Bytes([1]))
        expectNumPyFailure(bytes, "[('é', '<f4')]", "structured")
    }

    @Test func parsesHeaderLiteralsFreely() throws {
        let headers = [
            "{'shape': (2,), 'fortran_order': False, 'descr': '<f4'}",
            "{\"descr\":\"<f4\",\"fortran_order\":False,\"shape\":(2 , ) ,}",
            "{\n  'descr' : '<f4',\n\t'fortran_order' : False ,\n  'shape' : ( 2, ) }\r\n",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2L,), }",
        ]
        for header in headers {
            #expect(
                try decodeNumPy(npyFile(header: header, data: float32Bytes([3, 4]))).scalars == [3, 4], "\(header)")
        }
        let scalar = "{'descr': '<f4', 'fortran_order': False, 'shape': (), }"
        #expect(try decodeNumPy(npyFile(header: scalar, data: float32Bytes([5]))) == Tensor(shape: [], scalars: [5]))
        let empty = "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4), }"
        #expect(try decodeNumPy(npyFile(header: empty)) == Tensor(shape: [0, 4], scalars: []))
    }
}
