import CNNGraph
import Foundation
import Testing

/// The real-size specs follow keras.applications layer by layer: Keras's layer names, and Keras's
/// parameter counts in the summary.
@Suite struct ApplicationSpecTests {
    @Test(arguments: [
        ("resnet50.yaml", 25_636_712, 176, ["conv1_pad", "conv2_block1_0_conv", "conv5_block3_out", "avg_pool", "predictions"]),
        ("mobilenet_v1.yaml", 4_253_864, 89, ["conv1", "conv_pad_2", "conv_dw_13_relu", "conv_pw_13_bn", "conv_preds"]),
        ("vgg16.yaml", 138_357_544, 22, ["block1_conv1", "block5_pool", "flatten", "fc1", "fc2", "predictions"]),
        ("mobilenet_v2.yaml", 3_538_984, 155, ["Conv1", "Conv1_relu", "block_1_pad", "block_16_project_BN", "out_relu", "predictions"]),
        ("efficientnet_b0.yaml", 5_330_571, 239, ["rescaling", "normalization", "block1a_se_excite", "block7a_project_bn", "top_dropout", "predictions"]),
    ])
    func summaryHasKerasParameterCount(spec: String, parameters: Int, layers: Int, names: [String]) throws {
        let compilation = compile(try String(contentsOf: Paths.specs.appendingPathComponent(spec), encoding: .utf8), path: spec)
        #expect(compilation.diagnostics.isEmpty, "\(compilation.diagnostics.map(\.message))")
        let graph = try #require(compilation.graph)
        let summary = ModelSummary(graph)
        #expect(summary.totalParameters == parameters)
        #expect(graph.nodes.count == layers)
        #expect(graph.inputShape.dimensions == [224, 224, 3])
        #expect(graph.outputShape.dimensions == [1000])
        let declared = Set(graph.nodes.map(\.name))
        for name in names { #expect(declared.contains(name), "no layer \(name)") }
    }
}
