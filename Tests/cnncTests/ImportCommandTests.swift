import CNNFormats
import Foundation
import TestSupport
import Testing

/// `cnnc import` on ONNX models as torch.onnx.export and the ONNX model zoo write them: the spec it
/// writes checks, and `cnnc run` on it gives ONNX Runtime's output (Tests/OnnxFixtures made both).
@Suite struct ImportCommandTests {
    static let fixtures = Paths.packageRoot.appendingPathComponent("Tests/cnncTests/Fixtures/onnx")

    @Test(arguments: [
        "torch_digits", "torch_resnet", "torch_mobile", "torch_decoder", "torch_gelu", "dynamo_resnet", "zoo_opset9",
    ])
    func importedModelGivesOnnxRuntimesOutput(_ name: String) throws {
        let folder = try Paths.temporaryDirectory()
        let model = Self.fixtures.appendingPathComponent("\(name).onnx").path
        let imported = try Run(["import", model, "-o", folder.path])
        #expect(imported.status == 0, "\(imported.stderr)")

        let spec = folder.appendingPathComponent("\(name).yaml").path
        let check = try Run(["check", spec, "--warnings-as-errors"])
        #expect(check.status == 0, "\(check.stderr)")

        let output = folder.appendingPathComponent("out.npy").path
        let run = try Run([
            "run", spec, "--weights", folder.appendingPathComponent("\(name).safetensors").path,
            "--input", Self.fixtures.appendingPathComponent("\(name).input.npy").path, "--output", output,
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let expected = try NumPyArray.read(
            contentsOf: Self.fixtures.appendingPathComponent("\(name).expected.npy").path)
        #expect(tensorMismatch(try NumPyArray.read(contentsOf: output), expected) == nil)
    }

    /// The README's walkthrough model, trained in PyTorch: the imported spec classifies the test
    /// images exactly as well as PyTorch did (447 of 450).
    @Test func trainedPyTorchModelKeepsItsAccuracy() throws {
        let example = Paths.packageRoot.appendingPathComponent("Examples/PyTorchDigits")
        let folder = try Paths.temporaryDirectory()
        let imported = try Run(["import", example.appendingPathComponent("digits.onnx").path, "-o", folder.path])
        #expect(imported.status == 0, "\(imported.stderr)")
        let scores = folder.appendingPathComponent("scores.npy").path
        let run = try Run([
            "run", folder.appendingPathComponent("digits.yaml").path, "--weights",
            folder.appendingPathComponent("digits.safetensors").path, "--input",
            example.appendingPathComponent("test_images.npy").path, "--output", scores,
        ])
        #expect(run.status == 0, "\(run.stderr)")
        // test_labels.npy is int64, which cnnc's reader does not take: its data follows the header.
        let labelFile = try Data(contentsOf: example.appendingPathComponent("test_labels.npy"))
        let headerLength = Int(labelFile[8]) | Int(labelFile[9]) << 8
        let labels = stride(from: 10 + headerLength, to: labelFile.count, by: 8).map { offset in
            labelFile[offset..<offset + 8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        }
        let output = try NumPyArray.read(contentsOf: scores)
        #expect(output.shape == [labels.count, 10])
        let right = labels.indices.filter { sample in
            let row = output.scalars[sample * 10..<(sample + 1) * 10]
            return row.firstIndex(of: row.max()!)! - sample * 10 == labels[sample]
        }.count
        #expect(right == 447)
    }

    /// The spec reads as one would write it: PyTorch's module names, activations folded into their
    /// layers, the flatten's dense rows permuted rather than a transpose added.
    @Test func specReadsAsWrittenByHand() throws {
        let folder = try Paths.temporaryDirectory()
        let run = try Run([
            "import", Self.fixtures.appendingPathComponent("torch_digits.onnx").path, "-o", folder.path, "--name",
            "digits",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let spec = try String(contentsOf: folder.appendingPathComponent("digits.yaml"), encoding: .utf8)
        #expect(
            spec == """
                # Imported by cnnc from torch_digits.onnx, written by pytorch 2.15.0, ONNX operator set 17.
                # Each layer's comment names the ONNX nodes it stands for.
                cnnc: 1
                input:
                  shape: [8, 8, 1]
                layers:
                  - {type: conv2d, name: features_0, filters: 8, kernel_size: 3, padding: same, activation: relu}  # /features/features.0/Conv, /features/features.2/Relu
                  - {type: max_pool2d, name: features_3, pool_size: 2}  # /features/features.3/MaxPool
                  - {type: conv2d, name: features_4, filters: 16, kernel_size: 3, padding: same, activation: relu}  # /features/features.4/Conv, /features/features.5/Relu
                  - {type: max_pool2d, name: features_6, pool_size: 2}  # /features/features.6/MaxPool
                  - {type: flatten, name: classifier_0}  # /classifier/classifier.0/Flatten
                  - {type: dense, name: classifier_1, units: 32, activation: relu}  # /classifier/classifier.1/Gemm, /classifier/classifier.2/Relu
                  - {type: dense, name: classifier_4, units: 10, activation: softmax}  # /classifier/classifier.4/Gemm, /classifier/classifier.5/Softmax

                """)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("digits.safetensors").path))
    }

    @Test func everyInexpressibleNodeIsNamedInOneError() throws {
        let folder = try Paths.temporaryDirectory().appendingPathComponent("out")
        let run = try Run(["import", Self.fixtures.appendingPathComponent("unsupported.onnx").path, "-o", folder.path])
        #expect(run.status == 1)
        let lines = run.stderr.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasSuffix("error: 3 nodes cannot be expressed in a cnnc spec") == true, "\(run.stderr)")
        for node in ["node 'grouped' (Conv)", "node 'norm' (LRN)", "node 'to_nhwc' (Transpose)"] {
            #expect(lines.contains { $0.contains("note: \(node)") }, "\(node) in \(run.stderr)")
        }
        // Nothing is written, not even the directory.
        #expect(!FileManager.default.fileExists(atPath: folder.path))
    }

    @Test func filesThatAreNotOnnxModelsAreErrors() throws {
        let folder = try Paths.temporaryDirectory()
        let weights = Paths.conformance.appendingPathComponent("refs/tiny_chain/weights.safetensors").path
        let safetensors = try Run(["import", weights, "-o", folder.path])
        #expect(safetensors.status == 1)
        #expect(safetensors.stderr.contains("this is a safetensors file, not an ONNX model"), "\(safetensors.stderr)")

        let text = folder.appendingPathComponent("model.onnx")
        try Data("not a model\n".utf8).write(to: text)
        let garbage = try Run(["import", text.path, "-o", folder.path])
        #expect(garbage.status == 1)
        #expect(garbage.stderr.contains("error: not an ONNX model"), "\(garbage.stderr)")

        let missing = try Run(["import", folder.appendingPathComponent("absent.onnx").path, "-o", folder.path])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("absent.onnx: error:"), "\(missing.stderr)")
    }

    @Test func usageErrorsExit64() throws {
        let model = Self.fixtures.appendingPathComponent("torch_digits.onnx").path
        #expect(try Run(["import", model]).status == 64)
        #expect(try Run(["import", model, "-o", "/tmp", "--name", "a/b"]).status == 64)
    }
}
