import CNNFormats
import CNNGraph
import TestSupport
import Testing

/// batch_norm and activation layers folded into the layer before them compute what the layers
/// compute one by one.
@Suite struct FusionTests {
    let input = Tensor(shape: [2, 5, 5, 3], scalars: randomScalars(150, seed: 7))
    let weights: [String: Tensor] = [
        "c.kernel": Tensor(shape: [3, 3, 3, 4], scalars: randomScalars(108, seed: 8)),
        "c.bias": Tensor(shape: [4], scalars: randomScalars(4, seed: 9)),
        "bn.gamma": Tensor(shape: [4], scalars: [0.5, 2, -1, 1]),
        "bn.beta": Tensor(shape: [4], scalars: [0.1, -0.2, 0.3, 0]),
        "bn.moving_mean": Tensor(shape: [4], scalars: [0, 0.5, -0.5, 1]),
        "bn.moving_variance": Tensor(shape: [4], scalars: [1, 0.25, 4, 0.5]),
    ]

    /// The convolution alone, then the norm and relu applied here.
    func unfused(activation: Bool) throws -> Tensor {
        var output = try run(
            input: input, "  - {type: conv2d, name: c, filters: 4, kernel_size: 3, padding: same}\n",
            weights: weights.filter { $0.key.hasPrefix("c.") })
        for i in output.scalars.indices {
            let c = i % 4
            let scale =
                weights["bn.gamma"]!.scalars[c] / (weights["bn.moving_variance"]!.scalars[c] + 0.001).squareRoot()
            let normed =
                (output.scalars[i] - weights["bn.moving_mean"]!.scalars[c]) * scale + weights["bn.beta"]!.scalars[c]
            output.scalars[i] = activation ? max(normed, 0) : normed
        }
        return output
    }

    @Test func convolutionNormAndActivation() throws {
        let fused = try run(
            input: input,
            """
              - {type: conv2d, name: c, filters: 4, kernel_size: 3, padding: same}
              - {type: batch_norm, name: bn}
              - {type: activation, activation: relu}

            """, weights: weights)
        #expect(tensorMismatch(fused, try unfused(activation: true)) == nil)
    }

    /// A rescaling or a normalization after a convolution folds into it as exactly as a batch_norm:
    /// each is x · scale + shift per channel.
    @Test func rescalingAndNormalizationFold() throws {
        let convolution = try run(
            input: input, "  - {type: conv2d, name: c, filters: 4, kernel_size: 3, padding: same}\n",
            weights: weights.filter { $0.key.hasPrefix("c.") })
        let rescaled = try run(
            input: input,
            """
              - {type: conv2d, name: c, filters: 4, kernel_size: 3, padding: same}
              - {type: rescaling, scale: 0.5, offset: -1}

            """, weights: weights.filter { $0.key.hasPrefix("c.") })
        let normalized = try run(
            input: input,
            """
              - {type: conv2d, name: c, filters: 4, kernel_size: 3, padding: same}
              - {type: normalization, mean: [0, 1, -1, 2], variance: [1, 4, 0.25, 9]}
              - {type: activation, activation: relu}

            """, weights: weights.filter { $0.key.hasPrefix("c.") })
        let (mean, deviation): ([Float], [Float]) = ([0, 1, -1, 2], [1, 2, 0.5, 3])
        var expectedRescaled = convolution
        var expectedNormalized = convolution
        for i in convolution.scalars.indices {
            expectedRescaled.scalars[i] = convolution.scalars[i] * 0.5 - 1
            expectedNormalized.scalars[i] = max((convolution.scalars[i] - mean[i % 4]) / deviation[i % 4], 0)
        }
        #expect(tensorMismatch(rescaled, expectedRescaled) == nil)
        #expect(tensorMismatch(normalized, expectedNormalized) == nil)
        let graph = try graph(
            input: [5, 5, 3],
            "  - {type: conv2d, filters: 4, kernel_size: 3}\n  - {type: rescaling, scale: 2}\n  - {type: normalization}\n"
        )
        let fusion = Fusion(graph)
        #expect(fusion.foldedNorm[0] == 1)
        #expect(fusion.absorbedBy[2] == nil)
    }

    /// When another layer reads the convolution's output too, nothing may be folded into it.
    @Test func aSharedOutputIsNotFolded() throws {
        let output = try run(
            input: input,
            """
              - {type: conv2d, name: c, filters: 4, kernel_size: 3, padding: same}
              - {type: batch_norm, name: bn}
              - {type: add, inputs: [c, bn]}

            """, weights: weights)
        let raw = try run(
            input: input, "  - {type: conv2d, name: c, filters: 4, kernel_size: 3, padding: same}\n",
            weights: weights.filter { $0.key.hasPrefix("c.") })
        let normed = try unfused(activation: false)
        #expect(
            tensorMismatch(output, Tensor(shape: raw.shape, scalars: zip(raw.scalars, normed.scalars).map(+))) == nil)
    }

    /// An `add` of a convolution (its norm folded) and a value computed before it folds into the
    /// convolution's store, the relu after it too: the same numbers as the layers one by one (a
    /// dropout in between keeps the add from folding).
    @Test func aResidualAddFoldsIntoTheLaterConvolution() throws {
        let weights = self.weights.merging([
            "d.kernel": Tensor(shape: [1, 1, 4, 4], scalars: randomScalars(16, seed: 10)),
            "d.bias": Tensor(shape: [4], scalars: randomScalars(4, seed: 11)),
        ]) { first, _ in first }
        func layers(_ between: String) -> String {
            """
              - {type: conv2d, name: c, filters: 4, kernel_size: 3, padding: same}
              - {type: conv2d, name: d, filters: 4, kernel_size: 1}
              - {type: batch_norm, name: bn}
            \(between)  - {type: add, inputs: [bn, c]}
              - {type: activation, activation: relu}

            """
        }
        let fusedGraph = try graph(input: [5, 5, 3], layers(""))
        let fusion = Fusion(fusedGraph)
        #expect(fusion.residuals == [1: .node(0)])
        #expect(fusion.absorbedBy[3] == 1 && fusion.absorbedBy[4] == 1)
        let fused = try run(input: input, layers(""), weights: weights)
        let unfused = try run(input: input, layers("  - {type: dropout, rate: 0.5}\n"), weights: weights)
        #expect(fused.shape == unfused.shape)
        #expect(zip(fused.scalars, unfused.scalars).allSatisfy { $0 == $1 }, "bit for bit, but for the sign of zero")

        // The add's other input computed after the first convolution: the later one absorbs it.
        let later = Fusion(
            try graph(
                input: [5, 5, 3],
                """
                  - {type: conv2d, name: c, filters: 4, kernel_size: 3, padding: same}
                  - {type: conv2d, name: e, filters: 4, kernel_size: 1, inputs: [input]}
                  - {type: add, inputs: [c, e]}

                """))
        #expect(later.residuals == [1: .node(0)])
    }

    /// The residual reaches every column of a tile: 20 filters fill a 16-wide tile and part of the
    /// next (or, with -DCNNC_AVX512, the second half of a 32-wide one only in part).
    @Test func aResidualReachesPartialTiles() throws {
        let weights: [String: Tensor] = [
            "c.kernel": Tensor(shape: [3, 3, 3, 20], scalars: randomScalars(540, seed: 12)),
            "c.bias": Tensor(shape: [20], scalars: randomScalars(20, seed: 13)),
            "d.kernel": Tensor(shape: [1, 1, 20, 20], scalars: randomScalars(400, seed: 14)),
            "d.bias": Tensor(shape: [20], scalars: randomScalars(20, seed: 15)),
        ]
        func layers(_ between: String) -> String {
            """
              - {type: conv2d, name: c, filters: 20, kernel_size: 3, padding: same}
              - {type: conv2d, name: d, filters: 20, kernel_size: 1}
            \(between)  - {type: add, inputs: [c, d]}
              - {type: activation, activation: relu6}

            """
        }
        let fused = try run(input: input, layers(""), weights: weights)
        let unfused = try run(input: input, layers("  - {type: dropout, rate: 0.5}\n"), weights: weights)
        #expect(zip(fused.scalars, unfused.scalars).allSatisfy { $0 == $1 })
    }
}
