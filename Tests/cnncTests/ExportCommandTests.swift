import CNNFormats
import CNNGraph
import CNNOnnx
import Foundation
import TestSupport
import Testing

/// `cnnc export` as users call it: the file it writes decodes as an ONNX model with the contract's
/// interface, and `cnnc import` of that file gives a spec that `cnnc run` runs to the same output.
/// ONNX Runtime's side is `Tests/OnnxFixtures/check_export.py`, which CI runs.
@Suite struct ExportCommandTests {
    /// A spec and its weights: a conformance model's, or `cnnc init-weights`' for one of `specs/`.
    struct Model: CustomTestStringConvertible, Sendable {
        var spec: String
        var weights: String?

        static func conformance(_ name: String, _ file: String? = nil) -> Model {
            Model(
                spec: Paths.conformance.appendingPathComponent("specs/\(file ?? name + ".yaml")").path,
                weights: Paths.conformance.appendingPathComponent("refs/\(name)/weights.safetensors").path)
        }

        static func keras(_ name: String) -> Model {
            let folder = Paths.packageRoot.appendingPathComponent("Tests/KerasReferences")
            return Model(
                spec: folder.appendingPathComponent("specs/\(name).yaml").path,
                weights: folder.appendingPathComponent("refs/\(name)/weights.safetensors").path)
        }

        static func example(_ file: String) -> Model { Model(spec: Paths.specs.appendingPathComponent(file).path) }

        /// One of cnnc export's own fixtures, Tests/OnnxFixtures/specs.
        static func fixture(_ file: String) -> Model {
            Model(spec: Paths.packageRoot.appendingPathComponent("Tests/OnnxFixtures/specs/\(file)").path)
        }

        var testDescription: String { String(spec.split(separator: "/").suffix(2).joined(separator: "/")) }

        /// The weights' path, written into `folder` by `cnnc init-weights` when the model has none.
        func weights(in folder: URL) throws -> String {
            if let weights { return weights }
            let path = folder.appendingPathComponent("weights.safetensors").path
            let run = try Run(["init-weights", spec, "-o", path, "--seed", "3"])
            #expect(run.status == 0, "\(run.stderr)")
            return path
        }

        /// A batch of two random samples of the model's input shape.
        func input(in folder: URL) throws -> String {
            let graph = try #require(Compilation(path: spec).graph)
            let shape = [2] + graph.inputShape.dimensions
            let path = folder.appendingPathComponent("input.npy").path
            try NumPyArray.write(Tensor(shape: shape, scalars: randomScalars(shape.reduce(1, *), seed: 5)), to: path)
            return path
        }
    }

    /// Every model with weights that `cnnc import` reads back: all but a relu layer with a
    /// threshold (exported with Greater and Where: relu_forms, every_layer). A gelu is exported as
    /// its erf form, which the importer reads back as gelu (activations_mix).
    static let roundTrips: [Model] =
        [
            "mnist.yaml", "lenet5.yaml", "cifar_vgg.yaml", "residual_block.yaml", "mobilenet_block.json",
            "unet_small.yaml",
        ].map(Model.example)
        + [
            "activations_mix", "concat_branches", "naming_flow", "residual_identity", "same_stride2", "tiny_chain",
            "warn_softmax_conv",
            "warn_dense_relu_relu",
            "wave2_act_layers", "wave2_crop_rescale", "wave2_merges", "wave2_norm_inline", "wave2_norm_weights",
            "wave2_reshape", "wave2_se_block", "wave2_sep_mult2", "wave2_sep_same", "wave2_tconv_same",
            "wave2_tconv_valid", "wave2_upsample_bilinear", "wave2_upsample_nearest",
        ].map { Model.conformance($0) }
        + [
            .conformance("depthwise_bn", "depthwise_bn.json"),
            .conformance("zeropad_dilation", "zeropad_dilation.json"),
            .conformance("wave2_padding_case", "wave2_padding_case.json"),
        ]
        + ["merges_broadcast", "rescale_norm", "reshape_crop", "transpose_strides", "upsample_odd"].map(Model.keras)
        + ["edge_layouts.yaml", "dropout_output.yaml"].map(Model.fixture)

    @Test(arguments: roundTrips)
    func importingTheExportGivesTheSameOutput(_ model: Model) throws {
        let folder = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let weights = try model.weights(in: folder)
        let exported = folder.appendingPathComponent("model.onnx").path
        let export = try Run(["export", model.spec, "--weights", weights, "-o", exported])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stderr.isEmpty || export.stderr.contains("warning:"), "\(export.stderr)")

        let imported = try Run(["import", exported, "-o", folder.appendingPathComponent("imported").path])
        #expect(imported.status == 0, "\(imported.stderr)")
        let input = try model.input(in: folder)
        var outputs: [Tensor] = []
        for (spec, weights) in [
            (model.spec, weights),
            (
                folder.appendingPathComponent("imported/model.yaml").path,
                folder.appendingPathComponent("imported/model.safetensors").path
            ),
        ] {
            let output = folder.appendingPathComponent("output-\(outputs.count).npy").path
            let run = try Run(["run", spec, "--weights", weights, "--input", input, "--output", output])
            #expect(run.status == 0, "\(run.stderr)")
            outputs.append(try NumPyArray.read(contentsOf: output))
        }
        #expect(tensorMismatch(outputs[1], outputs[0]) == nil)
    }

    @Test func theFileHasTheContractsInterface() throws {
        let folder = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = Model.example("unet_small.yaml")
        let exported = folder.appendingPathComponent("unet.onnx").path
        let run = try Run(["export", model.spec, "--weights", try model.weights(in: folder), "-o", exported])
        #expect(run.status == 0 && run.stderr.isEmpty, "\(run.stderr)")

        let file = try OnnxFile(contentsOf: exported)
        #expect(file.opset == 17)
        #expect(file.producer == "cnnc 0.1.0")
        let graph = file.model.graph
        let graphDims = { (value: Onnx_ValueInfoProto) -> [String] in
            value.type.tensorType.shape.dim.map { $0.dimParam.isEmpty ? "\($0.dimValue)" : $0.dimParam }
        }
        let spec = try #require(Compilation(path: model.spec).graph)
        #expect(graph.input.map(\.name) == ["input"] && graph.output.map(\.name) == ["output"])
        #expect(graphDims(graph.input[0]) == ["N"] + spec.inputShape.dimensions.map(String.init))
        #expect(graphDims(graph.output[0]) == ["N"] + spec.outputShape.dimensions.map(String.init))
        #expect(graph.node.allSatisfy { $0.domain.isEmpty })
        // Netron shows the spec's layers: a node of each name, the weights under their keys.
        let names = Set(graph.node.map(\.name))
        for layer in spec.nodes { #expect(names.contains(layer.name), "no node \(layer.name)") }
        for layer in spec.nodes {
            for weight in layer.weights {
                #expect(graph.initializer.contains { $0.name == "\(layer.name).\(weight.name)" })
            }
        }
    }

    @Test func mismatchedWeightsAreNamedAndNothingIsWritten() throws {
        let folder = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = Model.conformance("tiny_chain")
        let exported = folder.appendingPathComponent("model.onnx")
        try Data("before".utf8).write(to: exported)
        let wrong = Paths.conformance.appendingPathComponent("refs/same_stride2/weights.safetensors").path
        let run = try Run(["export", model.spec, "--weights", wrong, "-o", exported.path])
        #expect(run.status == 1)
        #expect(run.stderr.contains("not match the weights"), "\(run.stderr)")
        #expect(run.stderr.contains("note: 'dense.kernel' has shape [24, 3]"), "\(run.stderr)")
        // The file that was there is left as it was.
        #expect(try String(contentsOf: exported, encoding: .utf8) == "before")
    }

    @Test func specErrorsExit1AndUsageErrors64() throws {
        let folder = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("model.onnx").path
        let broken = Paths.specs.appendingPathComponent("invalid/kernel_too_large.yaml").path
        let weights = Model.conformance("tiny_chain").weights!
        let invalid = try Run(["export", broken, "--weights", weights, "-o", output])
        #expect(invalid.status == 1)
        #expect(invalid.stderr.contains("error:"), "\(invalid.stderr)")

        let spec = Model.conformance("tiny_chain").spec
        #expect(try Run(["export", spec, "-o", output]).status == 64)
        #expect(try Run(["export", spec, "--weights", weights]).status == 64)
        let unwritable = try Run(["export", spec, "--weights", weights, "-o", folder.path + "/absent/model.onnx"])
        #expect(unwritable.status == 1)
        #expect(unwritable.stderr.contains("error:"), "\(unwritable.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func helpDescribesTheLayouts() throws {
        let run = try Run(["export", "--help"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("[N, H, W, C]"), "\(run.stdout)")
    }
}
