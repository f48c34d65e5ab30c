import CNNFormats
import CNNGraph
import CNNInterpreter
import CNNSpec
import Foundation
import Testing
import TestSupport

/// The second-wave layers against Keras 3 on the small specs of Tests/KerasReferences (bilinear
/// upsampling at odd sizes, transposed convolutions at strides 2 and 3, every relu form, merges
/// that broadcast, normalization, reshape, cropping), whose references
/// Tests/KerasReferences/make_references.py made with Keras. The generated Swift runs them too
/// (BuildCommandTests).
@Suite struct KerasReferenceTests {
    static let folder = Paths.packageRoot.appendingPathComponent("Tests/KerasReferences")

    /// The spec names, without `.yaml`: the small specs here, and the example U-Net of specs/.
    static func names() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("specs").path)
            .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted() + ["unet_small"]
    }

    static func spec(_ name: String) -> URL {
        let local = folder.appendingPathComponent("specs/\(name).yaml")
        return FileManager.default.fileExists(atPath: local.path) ? local : Paths.specs.appendingPathComponent("\(name).yaml")
    }

    @Test func referencesArePresent() throws {
        #expect(try Self.names().count >= 7)
    }

    @Test(arguments: try names())
    func interpreterMatchesKeras(name: String) throws {
        let compilation = Compilation(path: Self.spec(name).path)
        #expect(compilation.diagnostics.isEmpty, "\(compilation.diagnostics.map(\.message))")
        let graph = try #require(compilation.graph)
        let refs = Self.folder.appendingPathComponent("refs/\(name)")
        let weights = refs.appendingPathComponent("weights.safetensors").path
        let interpreter = try Interpreter(graph: graph, weights: SafeTensors.read(contentsOf: weights), weightsPath: weights)
        let input = try NumPyArray.read(contentsOf: refs.appendingPathComponent("input.npy").path)
        let expected = try NumPyArray.read(contentsOf: refs.appendingPathComponent("expected.npy").path)
        #expect(tensorMismatch(try interpreter.run(input), expected) == nil)
    }
}
