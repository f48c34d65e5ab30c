import CNNSpec
import Testing

@testable import CNNGraph

@Suite struct ShapeRuleTests {
    /// The contract's rules, written independently of `Window2D`.
    private func expected(_ size: Int, kernel: Int, stride: Int, dilation: Int, padding: Padding) -> Int {
        switch padding {
        case .valid:
            let span = size - dilation * (kernel - 1) - 1
            return span < 0 ? 0 : span / stride + 1
        case .same:
            return Int((Double(size) / Double(stride)).rounded(.up))
        }
    }

    @Test(arguments: Padding.allCases)
    func windowRuleOverSizesStridesAndDilations(padding: Padding) {
        for size in 1...13 {
            for kernel in 1...5 {
                for stride in 1...3 {
                    for dilation in 1...2 where stride == 1 || dilation == 1 {
                        let window = Window2D(
                            kernel: Size2D(kernel, kernel), strides: Size2D(stride, stride),
                            dilation: Size2D(dilation, dilation), padding: padding)
                        let want = expected(size, kernel: kernel, stride: stride, dilation: dilation, padding: padding)
                        #expect(window.outputSize(input: Size2D(size, size)).height == want, "in \(size) k \(kernel) s \(stride) d \(dilation)")
                    }
                }
            }
        }
    }

    @Test func samePaddingPutsTheOddCellBottomRight() {
        let window = Window2D(kernel: Size2D(3, 3), strides: Size2D(2, 2), padding: .same)
        #expect(window.outputSize(input: Size2D(11, 8)) == Size2D(6, 4))
        #expect(window.implicitPadding(input: Size2D(11, 8)) == Padding2D(top: 1, bottom: 1, left: 0, right: 1))
        let even = Window2D(kernel: Size2D(2, 2), strides: Size2D(1, 1), padding: .same)
        #expect(even.implicitPadding(input: Size2D(3, 2)) == Padding2D(top: 0, bottom: 1, left: 0, right: 1))
        let dilated = Window2D(kernel: Size2D(3, 3), strides: Size2D(1, 1), dilation: Size2D(2, 2), padding: .same)
        #expect(dilated.implicitPadding(input: Size2D(7, 7)) == Padding2D(top: 2, bottom: 2, left: 2, right: 2))
    }

    /// Each row of the contract's layer table: output shape, parameters and multiply-adds.
    @Test(arguments: [
        ("{type: conv2d, filters: 8, kernel_size: 3}", [10, 10, 3], [8, 8, 8], 3 * 3 * 3 * 8 + 8, 8 * 8 * 8 * 27),
        ("{type: conv2d, filters: 4, kernel_size: [1, 5], padding: same, use_bias: false}", [9, 7, 2], [9, 7, 4], 40, 9 * 7 * 4 * 10),
        ("{type: conv2d, filters: 2, kernel_size: 3, strides: 3}", [10, 10, 1], [3, 3, 2], 20, 9 * 2 * 9),
        ("{type: conv2d, filters: 2, kernel_size: 3, dilation_rate: 2}", [9, 9, 1], [5, 5, 2], 20, 25 * 2 * 9),
        ("{type: depthwise_conv2d, kernel_size: 3, depth_multiplier: 2}", [6, 6, 3], [4, 4, 6], 3 * 3 * 3 * 2 + 6, 16 * 3 * 2 * 9),
        ("{type: max_pool2d}", [7, 7, 3], [3, 3, 3], 0, 0),
        ("{type: max_pool2d, pool_size: 3, strides: 1, padding: same}", [5, 4, 2], [5, 4, 2], 0, 0),
        ("{type: avg_pool2d, pool_size: 3, strides: 2, padding: same}", [6, 4, 6], [3, 2, 6], 0, 0),
        ("{type: avg_pool2d, pool_size: [2, 3], strides: null}", [8, 9, 1], [4, 3, 1], 0, 0),
        ("{type: global_avg_pool2d}", [5, 5, 7], [7], 0, 0),
        ("{type: global_max_pool2d}", [5, 5, 7], [7], 0, 0),
        ("{type: zero_padding2d}", [4, 4, 1], [6, 6, 1], 0, 0),
        ("{type: zero_padding2d, padding: [1, 2]}", [4, 4, 1], [6, 8, 1], 0, 0),
        ("{type: zero_padding2d, padding: [[2, 0], [1, 3]]}", [9, 12, 2], [11, 16, 2], 0, 0),
        ("{type: batch_norm, epsilon: 0.01}", [4, 4, 5], [4, 4, 5], 20, 0),
        ("{type: flatten}", [4, 5, 6], [120], 0, 0),
        ("{type: flatten}", [12], [12], 0, 0),
        ("{type: dense, units: 10}", [64], [10], 650, 640),
        ("{type: dense, units: 10, use_bias: false, activation: softmax}", [64], [10], 640, 640),
        ("{type: activation, activation: silu}", [3, 3, 2], [3, 3, 2], 0, 0),
        ("{type: dropout, rate: 0}", [3, 3, 2], [3, 3, 2], 0, 0),
        ("{type: global_avg_pool2d, keepdims: true}", [5, 5, 7], [1, 1, 7], 0, 0),
        ("{type: relu, max_value: 0.8, threshold: 0.1, negative_slope: 0.5}", [3, 3, 2], [3, 3, 2], 0, 0),
        ("{type: leaky_relu}", [4], [4], 0, 0),
        ("{type: softmax}", [4], [4], 0, 0),
        ("{type: rescaling, scale: 0.00392156862745098, offset: -1}", [4, 4, 3], [4, 4, 3], 0, 0),
        ("{type: normalization, mean: [1, 2, 3], variance: 2}", [4, 4, 3], [4, 4, 3], 0, 0),
        ("{type: normalization}", [4, 4, 3], [4, 4, 3], 7, 0),
        ("{type: reshape, target_shape: [-1]}", [4, 5, 6], [120], 0, 0),
        ("{type: reshape, target_shape: [2, -1, 3]}", [24], [2, 4, 3], 0, 0),
        ("{type: cropping2d, cropping: [[1, 0], [2, 3]]}", [6, 9, 2], [5, 4, 2], 0, 0),
        ("{type: cropping2d}", [6, 9, 2], [6, 9, 2], 0, 0),
        ("{type: upsampling2d, size: [3, 2], interpolation: bilinear}", [5, 7, 2], [15, 14, 2], 0, 0),
        ("{type: conv2d, filters: 2, kernel_size: 3, padding: SAME}", [5, 5, 1], [5, 5, 2], 20, 25 * 2 * 9),
    ])
    func layerRow(layer: String, input: [Int], output: [Int], params: Int, macs: Int) throws {
        let compilation = compile(model(input: input, layer))
        #expect(!compilation.diagnostics.hasErrors, "\(compilation.diagnostics.map(\.message))")
        let node = try #require(compilation.graph?.nodes.first)
        #expect(node.outputShape.dimensions == output)
        #expect(node.parameterCount == params)
        #expect(node.macs == macs)
    }

    @Test func mergeLayers() throws {
        let text = model(
            input: [8, 8, 2],
            "{type: conv2d, name: a, filters: 3, kernel_size: 1}",
            "{type: conv2d, name: b, filters: 2, kernel_size: 1, inputs: [input]}",
            "{type: concatenate, name: c, inputs: [input, a, b]}",
            "{type: conv2d, name: d, filters: 7, kernel_size: 1}",
            "{type: add, inputs: [c, d]}")
        let graph = try #require(compile(text).graph)
        #expect(graph.nodes.map(\.outputShape.dimensions) == [[8, 8, 3], [8, 8, 2], [8, 8, 7], [8, 8, 7], [8, 8, 7]])
        #expect(graph.nodes[2].inputs == [.input, .node(0), .node(1)])
    }

    /// The element-wise merges broadcast a size-1 axis, as a squeeze-and-excitation block needs.
    @Test func mergesBroadcastSizeOneAxes() throws {
        let text = model(
            input: [8, 8, 4],
            "{type: global_avg_pool2d, name: squeeze, keepdims: true}",
            "{type: multiply, name: excite, inputs: [input, squeeze]}",
            "{type: conv2d, name: gate, filters: 1, kernel_size: 1, inputs: [input]}",
            "{type: subtract, inputs: [excite, gate]}",
            "{type: maximum, inputs: [input, squeeze, gate]}")
        let graph = try #require(compile(text).graph)
        #expect(graph.nodes.map(\.outputShape.dimensions) == [[1, 1, 4], [8, 8, 4], [8, 8, 1], [8, 8, 4], [8, 8, 4]])
    }

    /// Each way a new layer can be wrong, reported at the value at fault.
    @Test(arguments: [
        ("{type: reshape, target_shape: [7]}", "reshape 'reshape' cannot make [7] (7 values) of the 4x4x3 input (48 values)"),
        ("{type: reshape, target_shape: [-1, 5, -1]}", "'target_shape' has -1; sizes must be positive, or one -1 for what is left"),
        ("{type: reshape, target_shape: [5, -1]}", "'target_shape' has 2 sizes; a reshape makes [n] or [height, width, channels]"),
        ("{type: cropping2d, cropping: [2, 2]}", "cropping 4 of 4 rows of the 4x4x3 input leaves nothing of layer 'cropping2d's output"),
        ("{type: normalization, mean: [1, 2]}", "normalization needs both 'mean' and 'variance', or neither"),
        ("{type: normalization, mean: [1, 2], variance: [1, 1]}", "'mean' of layer 'normalization' has 2 values for a 3-channel input"),
        ("{type: normalization, mean: 0, variance: -1}", "'variance' is -1; it must be 0 or more"),
        ("{type: upsampling2d, interpolation: bicubic}", "'interpolation' is 'bicubic'; it must be one of nearest, bilinear"),
        ("{type: relu, negative_slope: -1}", "'negative_slope' is -1; it must be 0 or more"),
        ("{type: leaky_relu, alpha: 0.1}", "unknown key 'alpha' in layer 'leaky_relu'"),
    ])
    func newLayerMistakes(layer: String, message: String) throws {
        let diagnostics = compile(model(input: [4, 4, 3], layer)).diagnostics
        #expect(diagnostics.contains { $0.message.hasPrefix(message) }, "\(diagnostics.map(\.message))")
    }

    @Test func namingCountsUnnamedLayersOfEachTypeOnly() throws {
        let text = model(
            input: [8, 8, 1],
            "{type: conv2d, filters: 2, kernel_size: 3, padding: same}",
            "{type: conv2d, name: middle, filters: 2, kernel_size: 3}",
            "{type: conv2d, filters: 2, kernel_size: 3}",
            "{type: batch_norm}", "{type: flatten}", "{type: dense, units: 2}")
        let graph = try #require(compile(text).graph)
        #expect(graph.nodes.map(\.name) == ["conv2d", "middle", "conv2d_1", "batch_norm", "flatten", "dense"])
        #expect(graph.nodes[3].weights.map(\.name) == ["gamma", "beta", "moving_mean", "moving_variance"])
    }

    @Test func defaultModelNameComesFromTheFile() {
        #expect(Graph.defaultName(forFile: "specs/tiny_chain.yaml") == "TinyChain")
        #expect(Graph.defaultName(forFile: "3d-net.json") == "Model3dNet")
        #expect(Graph.defaultName(forFile: "data.yaml") == "DataModel")
        #expect(Graph.defaultName(forFile: "vector.json") == "VectorModel")
    }
}
