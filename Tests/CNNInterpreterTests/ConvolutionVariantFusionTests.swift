import CNNFormats
import CNNGraph
import Foundation
import Testing
import TestSupport

/// A batch_norm and an activation layer folded into separable_conv2d (into its pointwise kernel)
/// and conv2d_transpose (into its kernel as a matrix) compute what the layers compute one by one.
@Suite struct ConvolutionVariantFusionTests {
    let input = Tensor(shape: [2, 6, 5, 3], scalars: randomScalars(180, seed: 31))
    let norm: [String: Tensor] = [
        "bn.gamma": Tensor(shape: [4], scalars: [0.5, 2, -1, 1]),
        "bn.beta": Tensor(shape: [4], scalars: [0.1, -0.2, 0.3, 0]),
        "bn.moving_mean": Tensor(shape: [4], scalars: [0, 0.5, -0.5, 1]),
        "bn.moving_variance": Tensor(shape: [4], scalars: [1, 0.25, 4, 0.5]),
    ]

    static let layers = [
        "{type: separable_conv2d, name: c, filters: 4, kernel_size: 3, depth_multiplier: 2, padding: same, use_bias: false}",
        "{type: separable_conv2d, name: c, filters: 4, kernel_size: 2, strides: 2}",
        "{type: conv2d_transpose, name: c, filters: 4, kernel_size: 3, strides: 2, padding: same}",
        "{type: conv2d_transpose, name: c, filters: 4, kernel_size: [2, 4], strides: [1, 3], use_bias: false}",
    ]

    func weights(_ layer: String) -> [String: Tensor] {
        var weights = norm
        let names: [(String, [Int])] =
            layer.contains("separable")
            ? [("depthwise_kernel", layer.contains("kernel_size: 3") ? [3, 3, 3, 2] : [2, 2, 3, 1]),
                ("pointwise_kernel", [1, 1, layer.contains("depth_multiplier: 2") ? 6 : 3, 4])]
            : [("kernel", layer.contains("[2, 4]") ? [2, 4, 4, 3] : [3, 3, 4, 3])]
        for (offset, (name, shape)) in names.enumerated() {
            weights["c.\(name)"] = Tensor(shape: shape, scalars: randomScalars(shape.reduce(1, *), seed: 32 + UInt64(offset)))
        }
        if !layer.contains("use_bias: false") { weights["c.bias"] = Tensor(shape: [4], scalars: [0.3, -0.1, 0.2, -0.4]) }
        return weights
    }

    @Test(arguments: layers)
    func normAndActivationFoldIn(layer: String) throws {
        let spec = "  - \(layer)\n  - {type: batch_norm, name: bn}\n  - {type: activation, activation: tanh}\n"
        let fusion = Fusion(try graph(input: [6, 5, 3], spec))
        #expect(fusion.absorbedBy == [nil, 0, 0])
        let fused = try run(input: input, spec, weights: weights(layer))

        var expected = try run(input: input, "  - \(layer)\n", weights: weights(layer).filter { $0.key.hasPrefix("c.") })
        for i in expected.scalars.indices {
            let c = i % 4
            let scale = norm["bn.gamma"]!.scalars[c] / (norm["bn.moving_variance"]!.scalars[c] + 0.001).squareRoot()
            expected.scalars[i] = tanh((expected.scalars[i] - norm["bn.moving_mean"]!.scalars[c]) * scale + norm["bn.beta"]!.scalars[c])
        }
        #expect(tensorMismatch(fused, expected) == nil)
    }
}
