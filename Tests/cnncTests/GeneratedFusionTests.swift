import CNNFormats
import CNNGraph
import CNNInterpreter
import CNNSpec
import Foundation
import Testing
import TestSupport

/// Generated Swift for separable_conv2d and conv2d_transpose with a batch_norm and an activation
/// folded into each (which no conformance model has), compiled and run against the interpreter,
/// whose kernels `ConvolutionVariantFusionTests` checks against the layers one by one.
@Suite struct GeneratedFusionTests {
    static let spec = """
        name: FoldedVariants
        input: {shape: [7, 6, 3]}
        layers:
          - {type: separable_conv2d, name: s, filters: 5, kernel_size: 3, depth_multiplier: 2, strides: 2, padding: same, use_bias: false}
          - {type: batch_norm, name: bn1}
          - {type: activation, activation: swish}
          - {type: conv2d_transpose, name: t, filters: 4, kernel_size: 3, strides: 3, padding: same}
          - {type: batch_norm, name: bn2}
          - {type: activation, activation: relu}
          - {type: conv2d_transpose, name: u, filters: 2, kernel_size: [2, 3], strides: [2, 1], activation: tanh}

        """

    @Test func generatedModelMatchesTheInterpreter() throws {
        let folder = try Paths.temporaryDirectory()
        let spec = folder.appendingPathComponent("folded.yaml")
        try Data(Self.spec.utf8).write(to: spec)
        let graph = try #require(Compilation(path: spec.path).graph)
        #expect(Fusion(graph).absorbedBy.compactMap { $0 } == [0, 0, 3, 3])

        var tensors: [String: Tensor] = [:]
        for (index, (node, weight)) in graph.nodes.flatMap({ node in node.weights.map { (node, $0) } }).enumerated() {
            var scalars = randomScalars(weight.elementCount, seed: 40 + UInt64(index))
            // Variances must be positive.
            if weight.name == "moving_variance" { scalars = scalars.map { $0 * $0 + 0.1 } }
            tensors["\(node.name).\(weight.name)"] = Tensor(shape: weight.shape, scalars: scalars)
        }
        let refs = folder.appendingPathComponent("refs")
        try FileManager.default.createDirectory(at: refs, withIntermediateDirectories: true)
        let weights = refs.appendingPathComponent("weights.safetensors").path
        try SafeTensors.write(tensors, to: weights)
        let input = Tensor(shape: [3, 7, 6, 3], scalars: randomScalars(3 * 7 * 6 * 3, seed: 39))
        try NumPyArray.write(input, to: refs.appendingPathComponent("input.npy").path)
        let expected = try Interpreter(graph: graph, weights: tensors, weightsPath: weights).run(input)
        try NumPyArray.write(expected, to: refs.appendingPathComponent("expected.npy").path)

        let reference = BuildCommandTests.Reference(name: "folded", spec: spec.path, type: graph.name, refs: refs)
        try BuildCommandTests.run([reference], embedded: false)
    }
}
