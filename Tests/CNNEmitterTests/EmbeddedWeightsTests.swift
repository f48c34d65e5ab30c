import CNNEmitter
import CNNFormats
import CNNGraph
import CNNSpec
import Foundation
import Testing

/// Weights compiled into the source: cut into base64 literals of at most 8 MB that each decode
/// alone and, joined in the order the source lists them, give back the safetensors file.
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
            let start = try #require(source.range(of: "private let \(name) = (\"\"\"\n"))
            let end = try #require(source.range(of: "\n\"\"\")", range: start.upperBound..<source.endIndex))
            let text = source[start.upperBound..<end.lowerBound]
            #expect(text.utf8.count <= (8 << 20) + (8 << 20) / 100)  // 8 MB of base64 and its line breaks
            let part = try #require(Data(base64Encoded: String(text), options: .ignoreUnknownCharacters))
            decoded += part
        }
        #expect(decoded == SafeTensors.encode(tensors))
    }
}
