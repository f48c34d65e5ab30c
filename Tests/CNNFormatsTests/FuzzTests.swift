import CNNFormats
import Foundation
import Testing

/// Damaged files give an error or a valid result, never a crash: every truncation, header bytes
/// flipped and replaced, and random bytes behind a valid preamble.
@Suite struct FuzzTests {
    /// A real safetensors file from the corpus, or a written one when the corpus is missing.
    private func safetensorsSample() -> [UInt8] {
        let url = Corpus.root.appendingPathComponent("refs/tiny_chain/weights.safetensors")
        return (try? [UInt8](Data(contentsOf: url)))
            ?? SafeTensors.encode(SafeTensorsTests.sample, metadata: ["a": "b"])
    }

    /// A real `.npy` file from the corpus, or a written one when the corpus is missing.
    private func npySample() -> [UInt8] {
        let url = Corpus.root.appendingPathComponent("refs/tiny_chain/input.npy")
        return (try? [UInt8](Data(contentsOf: url)))
            ?? NumPyArray.encode(Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Float.init)))
    }

    /// The file with the byte at `index` replaced by `transform` of it.
    private func damaged(_ bytes: [UInt8], at index: Int, _ transform: (UInt8) -> UInt8) -> [UInt8] {
        var copy = bytes
        copy[index] = transform(copy[index])
        return copy
    }

    /// Byte changes that turn valid headers into the interesting invalid ones: a flipped bit, a
    /// digit that makes a number huge, a quote, a bracket, a minus sign, a space.
    private static let mutations: [@Sendable (UInt8) -> UInt8] = [
        { $0 ^ 0x01 }, { $0 ^ 0x80 }, { $0 ^ 0xff }, { _ in UInt8(ascii: "9") }, { _ in UInt8(ascii: "\"") },
        { _ in UInt8(ascii: "[") }, { _ in UInt8(ascii: "-") }, { _ in UInt8(ascii: " ") }, { _ in 0 },
    ]

    @Test func safetensorsTruncatedAtEveryLengthIsAnError() {
        let bytes = safetensorsSample()
        for length in 0..<bytes.count {
            #expect(throws: FileFormatError.self, "truncated to \(length) bytes") {
                try decodeSafeTensors(Array(bytes.prefix(length)))
            }
        }
        #expect(throws: Never.self) { try decodeSafeTensors(bytes) }
    }

    @Test func safetensorsWithDamagedHeaderNeverCrashes() throws {
        let bytes = safetensorsSample()
        let headerEnd = 8 + Int(UInt64(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }))
        var failures = 0
        for index in 0..<headerEnd {
            for mutation in Self.mutations {
                let copy = damaged(bytes, at: index, mutation)
                do {
                    let tensors = try decodeSafeTensors(copy)
                    #expect(tensors.values.allSatisfy { $0.scalars.count == $0.shape.reduce(1, *) })
                } catch {
                    failures += 1
                    #expect(!error.message.isEmpty)
                }
            }
        }
        #expect(failures > headerEnd)
    }

    @Test func npyTruncatedAtEveryLengthIsAnError() {
        let bytes = npySample()
        for length in 0..<bytes.count {
            #expect(throws: FileFormatError.self, "truncated to \(length) bytes") {
                try decodeNumPy(Array(bytes.prefix(length)))
            }
        }
        #expect(throws: Never.self) { try decodeNumPy(bytes) }
    }

    @Test func npyWithDamagedHeaderNeverCrashes() {
        let bytes = npySample()
        let headerEnd = 10 + Int(bytes[8]) + Int(bytes[9]) << 8
        var failures = 0
        for index in 0..<headerEnd {
            for mutation in Self.mutations {
                do {
                    let tensor = try decodeNumPy(damaged(bytes, at: index, mutation))
                    #expect(tensor.scalars.count == tensor.shape.reduce(1, *))
                } catch {
                    failures += 1
                    #expect(!error.message.isEmpty)
                }
            }
        }
        #expect(failures > headerEnd)
    }

    @Test func randomBytesBehindValidPreambles() {
        var state: UInt64 = 0x9e37_79b9_7f4a_7c15
        func nextByte() -> UInt8 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        for length in 0..<300 {
            let noise = (0..<length).map { _ in nextByte() }
            let headerLength = UInt64(nextByte() % 64)
            _ = try? decodeSafeTensors(littleEndian(headerLength) + [0x7b] + noise)
            _ = try? decodeNumPy([0x93] + Array("NUMPY".utf8) + [1 + nextByte() % 3, 0] + noise)
        }
    }
}
