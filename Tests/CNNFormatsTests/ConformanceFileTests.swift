import CNNFormats
import Foundation
import Testing

/// The conformance corpus's files, written by Python's safetensors and numpy: cnnc reads them with
/// the shapes `summary.json` gives and writes them back byte for byte.
@Suite struct ConformanceFileTests {
    static let directories = Corpus.referenceDirectories

    /// `summary.json` of a reference directory, as Foundation reads JSON.
    private func summary(_ directory: URL) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent("summary.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func corpusIsPresent() {
        #expect(Self.directories.count >= 8, "no conformance corpus at \(Corpus.root.path)")
    }

    @Test func tinyChainWeightsHaveKerasShapes() throws {
        let path = Corpus.root.appendingPathComponent("refs/tiny_chain/weights.safetensors").path
        let weights = try SafeTensors.read(contentsOf: path)
        #expect(
            weights.mapValues(\.shape) == [
                "conv2d.kernel": [3, 3, 1, 4], "conv2d.bias": [4], "dense.kernel": [100, 5], "dense.bias": [5],
            ])
        #expect(weights.values.allSatisfy { $0.scalars.allSatisfy { $0.isFinite } })
    }

    @Test(arguments: directories)
    func weightsMatchSummaryAndReencodeIdentically(directory: URL) throws {
        let path = directory.appendingPathComponent("weights.safetensors").path
        let weights = try SafeTensors.read(contentsOf: path)
        let listed = try #require(try summary(directory)["weights"] as? [[String: Any]])
        var expected: [String: [Int]] = [:]
        for entry in listed {
            expected[try #require(entry["key"] as? String)] = try #require(entry["shape"] as? [Int])
        }
        #expect(weights.mapValues(\.shape) == expected)
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(SafeTensors.encode(weights) == original)
    }

    @Test(arguments: directories)
    func arraysMatchSummaryAndReencodeIdentically(directory: URL) throws {
        let info = try summary(directory)
        let inputShape = try #require(info["input_shape"] as? [Int])
        let outputShape = try #require(info["output_shape"] as? [Int])
        for (name, shape) in [("input.npy", inputShape), ("expected.npy", outputShape)] {
            let path = directory.appendingPathComponent(name).path
            let tensor = try NumPyArray.read(contentsOf: path)
            #expect(tensor.shape == [3] + shape, "\(path)")
            #expect(tensor.scalars.allSatisfy { $0.isFinite })
            #expect(NumPyArray.encode(tensor) == (try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))))
        }
        let input = try NumPyArray.read(contentsOf: directory.appendingPathComponent("input.npy").path)
        #expect(input.scalars.allSatisfy { (0..<1).contains($0) })
    }
}
