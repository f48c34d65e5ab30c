import CNNFormats
import CNNGraph
import CNNInterpreter
import CNNSpec
import Foundation
import TestSupport
import Testing

/// The golden generated models in `Models/`, compiled into this target, against the interpreter on
/// the same random weights and inputs.
@Suite struct GeneratedModelTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A generated model as the tests drive it.
    struct Model: Sendable, CustomTestStringConvertible {
        var spec: String
        var batch: Int
        /// The model's `predict(_:threads:)`.
        var load: @Sendable (String) throws -> @Sendable ([Float], Int) -> [Float]
        var testDescription: String { spec }
    }

    static let models: [Model] = [
        Model(spec: "mnist.yaml", batch: 3) { path in try MNISTClassifier(weightsAt: path).predict(_:threads:) },
        Model(spec: "lenet5.yaml", batch: 3) { path in try LeNet5(weightsAt: path).predict(_:threads:) },
        Model(spec: "residual_block.yaml", batch: 2) { path in try ResidualBlock(weightsAt: path).predict(_:threads:) },
        Model(spec: "mobilenet_block.json", batch: 2) { path in try MobileNetBlock(weightsAt: path).predict(_:threads:)
        },
        Model(spec: "cifar_vgg.yaml", batch: 1) { path in try CIFARVGG(weightsAt: path).predict(_:threads:) },
    ]

    @Test(arguments: models)
    func generatedModelMatchesInterpreter(_ model: Model) throws {
        let graph = try #require(Compilation(path: Self.root.appendingPathComponent("specs/\(model.spec)").path).graph)
        var tensors: [String: Tensor] = [:]
        for (index, node) in graph.nodes.enumerated() {
            for weight in node.weights {
                let count = weight.shape.reduce(1, *)
                // Variances must be positive; everything else in [-0.5, 0.5).
                let values = randomScalars(count, seed: UInt64(index * 10 + weight.name.count)).map {
                    weight.name == "moving_variance" ? 1 + $0 / 2 : $0 / 2
                }
                tensors["\(node.name).\(weight.name)"] = Tensor(shape: weight.shape, scalars: values)
            }
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "cnnc-generated-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("weights.safetensors").path
        try SafeTensors.write(tensors, to: path)

        let inputShape = [model.batch] + graph.inputShape.dimensions
        let input = Tensor(
            shape: inputShape, scalars: randomScalars(inputShape.reduce(1, *), seed: 99).map { $0 / 2 + 0.5 })
        let expected = try Interpreter(graph: graph, weights: tensors, weightsPath: path).run(input)
        let predict = try model.load(path)
        let output = predict(input.scalars, 1)
        #expect(tensorMismatch(Tensor(shape: expected.shape, scalars: output), expected) == nil)
        // More threads than samples, as many, fewer: bitwise the one-thread output.
        for threads in [2, 3, 8] {
            #expect(predict(input.scalars, threads).map(\.bitPattern) == output.map(\.bitPattern), "\(threads) threads")
        }
    }

    @Test func mismatchedWeightsAreThrownNotTrapped() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "cnnc-generated-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("bad.safetensors").path
        try SafeTensors.write(["conv2d.kernel": Tensor(zeros: [3, 3, 1, 31]), "stray": Tensor(zeros: [1])], to: path)
        do {
            _ = try MNISTClassifier(weightsAt: path)
            Issue.record("loading mismatched weights succeeded")
        } catch {
            let text = error.description
            #expect(text.hasPrefix("\(path): error: "))
            #expect(text.contains("'conv2d.kernel' has shape [3, 3, 1, 31]; the spec needs [3, 3, 1, 32]"))
            #expect(text.contains("missing 'dense_1.bias', shape [10]"))
            #expect(text.contains("unexpected 'stray' [1]"))
        }
        #expect(throws: MNISTClassifier.LoadError.self) {
            try MNISTClassifier(weightsAt: folder.appendingPathComponent("absent").path)
        }
    }
}
