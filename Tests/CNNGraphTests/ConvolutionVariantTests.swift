import CNNSpec
import Testing
import TestSupport

@testable import CNNGraph

/// separable_conv2d and conv2d_transpose: their shape rules, weights and counts, and where their
/// mistakes are reported.
@Suite struct ConvolutionVariantTests {
    /// Each layer: output shape, parameters and multiply-adds, as Keras counts them.
    @Test(arguments: [
        // depthwise 3·3·3·1, pointwise 3·8, bias 8; macs 8·8·3·9 + 8·8·3·8.
        ("{type: separable_conv2d, filters: 8, kernel_size: 3}", [10, 10, 3], [8, 8, 8], 27 + 24 + 8, 64 * 27 + 64 * 24),
        ("{type: separable_conv2d, filters: 4, kernel_size: [3, 1], strides: 2, padding: same}", [7, 6, 2], [4, 3, 4], 6 + 8 + 4, 12 * 2 * 3 + 12 * 2 * 4),
        ("{type: separable_conv2d, filters: 5, kernel_size: 2, depth_multiplier: 3, use_bias: false}", [4, 4, 2], [3, 3, 5], 24 + 30, 9 * 6 * 4 + 9 * 6 * 5),
        ("{type: separable_conv2d, filters: 2, kernel_size: 3, dilation_rate: 2}", [9, 9, 1], [5, 5, 2], 9 + 2 + 2, 25 * 9 + 25 * 2),
        // kernel [kh, kw, filters, in]; macs inH·inW·kh·kw·filters·in.
        ("{type: conv2d_transpose, filters: 3, kernel_size: 3}", [5, 5, 2], [7, 7, 3], 54 + 3, 25 * 9 * 3 * 2),
        ("{type: conv2d_transpose, filters: 2, kernel_size: 4, strides: 2}", [7, 7, 3], [16, 16, 2], 96 + 2, 49 * 16 * 2 * 3),
        ("{type: conv2d_transpose, filters: 2, kernel_size: 2, strides: 3}", [4, 5, 1], [12, 15, 2], 8 + 2, 20 * 4 * 2),
        ("{type: conv2d_transpose, filters: 4, kernel_size: 3, strides: 2, padding: same}", [4, 3, 3], [8, 6, 4], 108 + 4, 12 * 9 * 4 * 3),
        ("{type: conv2d_transpose, filters: 1, kernel_size: [5, 2], strides: [3, 1], padding: same, use_bias: false}", [3, 4, 2], [9, 4, 1], 20, 12 * 10 * 2),
    ])
    func layerRow(layer: String, input: [Int], output: [Int], params: Int, macs: Int) throws {
        let compilation = compile(model(input: input, layer))
        #expect(!compilation.diagnostics.hasErrors, "\(compilation.diagnostics.map(\.message))")
        let node = try #require(compilation.graph?.nodes.first)
        #expect(node.outputShape.dimensions == output)
        #expect(node.parameterCount == params)
        #expect(node.macs == macs)
    }

    @Test func weightKeysAndShapesAreKeras() throws {
        let text = model(
            input: [6, 6, 3], "{type: separable_conv2d, filters: 4, kernel_size: [3, 2], depth_multiplier: 2}",
            "{type: conv2d_transpose, filters: 5, kernel_size: [2, 3], use_bias: false}")
        let graph = try #require(compile(text).graph)
        #expect(graph.nodes[0].weights.map(\.name) == ["depthwise_kernel", "pointwise_kernel", "bias"])
        #expect(graph.nodes[0].weights.map(\.shape) == [[3, 2, 3, 2], [1, 1, 6, 4], [4]])
        #expect(graph.nodes[1].weights.map(\.name) == ["kernel"])
        #expect(graph.nodes[1].weights.map(\.shape) == [[2, 3, 5, 4]])
    }

    /// conv2d_transpose's size and cut against Keras's own formulas (jax backend): the input
    /// dilated by s, padded by `left` and `right`, convolved with the flipped kernel.
    @Test(arguments: Padding.allCases)
    func transposeRuleIsKeras(padding: Padding) {
        for size in 1...7 {
            for kernel in 1...6 {
                for stride in 1...4 {
                    let (left, right): (Int, Int)
                    if padding == .valid {
                        (left, right) = (kernel - 1, kernel - 1 + max(kernel, stride) - kernel)
                    } else {
                        let length = stride + kernel - 2
                        left = min(length / 2 + length % 2, kernel - 1)
                        right = length - left
                    }
                    let want = (size - 1) * stride + 1 + left + right - kernel + 1
                    let op = Conv2DTranspose(
                        filters: 1, kernel: Size2D(kernel, kernel), strides: Size2D(stride, stride), padding: padding,
                        activation: .linear, useBias: true)
                    let got = op.outputSize(input: Size2D(size, size))
                    #expect(got == Size2D(want, want), "in \(size) k \(kernel) s \(stride)")
                    #expect(op.cut.top == kernel - 1 - left, "in \(size) k \(kernel) s \(stride)")
                }
            }
        }
    }

    /// code → snippet; 1️⃣ marks where the diagnostic must point.
    @Test(arguments: [
        ("unknown-key", "{type: conv2d_transpose, filters: 3, kernel_size: 3, 1️⃣dilation_rate: 2}"),
        ("unknown-key", "{type: conv2d_transpose, filters: 3, kernel_size: 3, 1️⃣output_padding: 1}"),
        ("missing-key", "1️⃣{type: separable_conv2d, kernel_size: 3}"),
        ("missing-key", "1️⃣{type: conv2d_transpose, filters: 2}"),
        ("non-positive", "{type: separable_conv2d, filters: 2, kernel_size: 3, depth_multiplier: 1️⃣0}"),
        ("non-positive", "{type: conv2d_transpose, filters: 2, kernel_size: 3, strides: [1, 1️⃣0]}"),
        ("strided-dilation", "{type: separable_conv2d, filters: 2, kernel_size: 3, strides: 2, dilation_rate: 1️⃣2}"),
        ("kernel-too-large", "{type: separable_conv2d, filters: 2, kernel_size: 1️⃣9}"),
        ("unknown-value", "{type: conv2d_transpose, filters: 2, kernel_size: 3, padding: 1️⃣full}"),
        ("too-large", "{type: conv2d_transpose, filters: 2, kernel_size: 3, strides: 1️⃣4611686018427387904}"),
        ("too-large", "{type: separable_conv2d, filters: 2, kernel_size: 1, depth_multiplier: 1️⃣100000000}"),
    ])
    func mistakeIsReportedWhereTheMarkerIs(code: String, layer: String) {
        let marked = Marked(model(input: [8, 8, 3], layer))
        let diagnostics = compile(marked.text).diagnostics
        #expect(diagnostics.count == 1, "\(diagnostics.map { "\($0.location) \($0.message)" })")
        let match = diagnostics.first { $0.code.rawValue == code }
        #expect(match?.location.line == marked["1️⃣"].line && match?.location.column == marked["1️⃣"].column,
            "\(code): got \(diagnostics.map { "\($0.code) \($0.location) \($0.message)" })")
    }

    @Test func conv2dTransposeSaysWhyItHasNoDilation() {
        let diagnostic = compile(model(input: [4, 4, 2], "{type: conv2d_transpose, filters: 3, kernel_size: 3, dilation_rate: 2}"))
            .diagnostics.first
        #expect(diagnostic?.message == "unknown key 'dilation_rate' in layer 'conv2d_transpose'")
        #expect(diagnostic?.notes.map(\.message) == ["cnnc's conv2d_transpose has neither dilation nor output padding (Keras's has both); remove 'dilation_rate'"])
        let conv = compile(model(input: [4, 4, 2], "{type: conv2d, filters: 3, kernel_size: 3, output_padding: 1}")).diagnostics.first
        #expect(conv?.notes.first?.message.hasPrefix("layer 'conv2d' takes:") == true)
    }

    @Test func aFeatureMapLayerAfterFlattenIsWrongRank() {
        let marked = Marked(model(input: [8, 8, 3], "{type: flatten}", "{type: 1️⃣conv2d_transpose, filters: 2, kernel_size: 2}"))
        let diagnostic = compile(marked.text).diagnostics.first
        #expect(diagnostic?.code.rawValue == "wrong-rank")
        #expect(diagnostic?.location.line == marked["1️⃣"].line && diagnostic?.location.column == marked["1️⃣"].column)
    }

    @Test(arguments: [("SeparableConv2D", "separable_conv2d"), ("Conv2DTranspose", "conv2d_transpose"), ("deconv2d", "conv2d_transpose"), ("separable_conv2", "separable_conv2d")])
    func kerasSpellingsOfTheTypeAreSuggested(type: String, meant: String) {
        let diagnostic = compile(model(input: [8, 8, 3], "{type: \(type), filters: 2, kernel_size: 2}")).diagnostics.first
        #expect(diagnostic?.code.rawValue == "unknown-type")
        #expect(diagnostic?.notes.contains { $0.message.contains("'\(meant)'") } == true, "\(diagnostic?.notes.map(\.message) ?? [])")
    }
}
