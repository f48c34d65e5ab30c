import CNNEmitter
import CNNFormats
import CNNGraph
import CNNSpec
import Foundation
import Testing

/// Weights compiled into the source: cut into one-line base64 literals of at most 8 MB that each
/// decode alone and, joined in the order the source lists them, give back the safetensors file.
@Suite struct EmbeddedWeightsTests {
    @Test func largeWeightsAreCutIntoPartsThatDecodeToTheFile() throws {
        let spec = "name: Wide\ninput: {shape: [2048]}\nlayers:\n  - {type: dense, name: d, units: 1200}\n"
        let graph = try #require(Compilation(SourceFile(path: "wide.yaml", text: spec)).graph)
        let kernel = (0..<2048 * 1200).map { Float(sin(Double($0))) }
        let tensors = [
            "d.kernel": Tensor(shape: [2048, 1200], scalars: kernel),
            "d.bias": Tensor(shape: [1200], scalars: (0..<1200).map(Float.init)),
        ]
        let source = SwiftEmitter(graph: graph, embedding: tensors).modelSource()

        let listing = try #require(
            source.split(separator: "\n").first { $0.hasPrefix("private let embeddedWeights = [") })
        let names = listing.dropFirst("private let embeddedWeights = [".count).dropLast().split(separator: ", ")
        #expect(names == ["embeddedWeights0", "embeddedWeights1"])
        var decoded: [UInt8] = []
        for name in names {
            // One line a part: `\0` (which keeps LLVM from scanning the literal), then plain base64.
            let opening = "private let \(name) = (\"\\0"
            let line = try #require(source.split(separator: "\n").first { $0.hasPrefix(opening) })
            #expect(line.hasSuffix("\")"))
            let text = line.dropFirst(opening.count).dropLast(2)
            #expect(text.utf8.count <= 8 << 20)
            decoded += try #require(Data(base64Encoded: String(text)))
        }
        #expect(decoded == SafeTensors.encode(tensors))
    }
}
