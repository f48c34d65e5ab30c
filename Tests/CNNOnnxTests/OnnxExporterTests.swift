import CNNFormats
import CNNGraph
import CNNSpec
import Foundation
import Testing

@testable import CNNOnnx

/// The graphs `cnnc export` writes, decoded with onnx.proto's generated types: the interface
/// (NHWC input with a symbolic batch, channels-last output), operators of operator set 17 only, a
/// well-formed graph, ONNX's weight layouts and the pads that give Keras's sizes.
/// `Tests/OnnxFixtures/check_export.py` runs the same models on ONNX Runtime.
@Suite struct OnnxExporterTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("OnnxFixtures/specs")

    /// The operators the exporter may write, all of operator set 17's default domain.
    static let operators: Set<String> = [
        "Add", "AveragePool", "BatchNormalization", "Clip", "Concat", "Conv", "ConvTranspose", "Div", "Elu", "Erf",
        "Flatten", "Gemm", "GlobalAveragePool", "GlobalMaxPool", "Greater", "HardSigmoid", "Identity", "LeakyRelu",
        "Max", "MaxPool", "Mean", "Min", "Mul", "Neg", "Pad", "Relu", "Reshape", "Resize", "Selu", "Sigmoid", "Slice",
        "Softmax", "Softplus", "Softsign", "Sub", "Sum", "Tanh", "Transpose", "Where",
    ]

    /// The graph of a spec's text; fails the test on a diagnostic error.
    static func graph(_ text: String, path: String = "spec.yaml") throws -> Graph {
        let compilation = Compilation(SourceFile(path: path, text: text))
        return try #require(compilation.graph, "\(compilation.diagnostics.map(\.message))")
    }

    /// Weights whose every value is its index in Keras's layout, so that a permutation shows.
    static func indexWeights(_ graph: Graph) -> [String: Tensor] {
        var tensors: [String: Tensor] = [:]
        for node in graph.nodes {
            for weight in node.weights {
                let count = weight.shape.reduce(1, *)
                tensors["\(node.name).\(weight.name)"] = Tensor(
                    shape: weight.shape, scalars: (0..<count).map(Float.init))
            }
        }
        return tensors
    }

    /// The exported model of a spec, decoded.
    static func export(_ text: String) throws -> Onnx_ModelProto {
        let graph = try graph(text)
        let bytes = try OnnxExporter.export(graph, weights: indexWeights(graph), producerVersion: "9.9.9")
        return try Onnx_ModelProto(serializedBytes: bytes)
    }

    static func dims(_ value: Onnx_ValueInfoProto) -> [String] {
        value.type.tensorType.shape.dim.map { dim in
            switch dim.value {
            case .dimValue(let size)?: "\(size)"
            case .dimParam(let name)?: name
            case nil: "?"
            }
        }
    }

    static func initializer(_ model: Onnx_ModelProto, _ name: String) throws -> (dims: [Int], values: [Float]) {
        let tensor = try #require(model.graph.initializer.first { $0.name == name }, "no initializer \(name)")
        let values = tensor.rawData.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        return (tensor.dims.map { Int($0) }, values)
    }

    static func node(_ model: Onnx_ModelProto, _ name: String) throws -> Onnx_NodeProto {
        try #require(model.graph.node.first { $0.name == name }, "no node \(name)")
    }

    @Test func interfaceIsChannelsLastWithASymbolicBatch() throws {
        let model = try Self.export(
            """
            input: {shape: [6, 5, 2]}
            layers:
              - {type: conv2d, filters: 3, kernel_size: 3, padding: same}
            """)
        #expect(model.irVersion == 8)
        #expect(model.opsetImport.map { "\($0.domain):\($0.version)" } == [":17"])
        #expect(model.producerName == "cnnc" && model.producerVersion == "9.9.9")
        #expect(model.graph.input.map(\.name) == ["input"] && model.graph.output.map(\.name) == ["output"])
        #expect(model.graph.input[0].type.tensorType.elemType == 1)
        #expect(Self.dims(model.graph.input[0]) == ["N", "6", "5", "2"])
        #expect(Self.dims(model.graph.output[0]) == ["N", "6", "5", "3"])
        // NCHW inside: transposed after the input and back before the output.
        let nodes = model.graph.node
        #expect(nodes.map(\.opType) == ["Transpose", "Conv", "Transpose"])
        #expect(nodes.first?.input == ["input"] && nodes.first?.attribute("perm")?.ints == [0, 3, 1, 2])
        #expect(nodes.last?.output == ["output"] && nodes.last?.attribute("perm")?.ints == [0, 2, 3, 1])
    }

    @Test func aVectorOutputIsTheLastLayersNode() throws {
        let model = try Self.export(
            """
            input: {shape: [4, 4, 1]}
            layers:
              - {type: flatten}
              - {type: dense, units: 3, activation: softmax}
            """)
        #expect(Self.dims(model.graph.output[0]) == ["N", "3"])
        #expect(model.graph.node.map(\.opType) == ["Flatten", "Gemm", "Softmax"])
        let softmax = try Self.node(model, "dense")
        #expect(softmax.output == ["output"] && softmax.attribute("axis")?.i == 1)
        // A flatten of the input reads it as it is: NHWC is the spec's order.
        #expect(model.graph.node[0].input == ["input"])
    }

    /// Every layer type and activation (Tests/OnnxFixtures/specs/every_layer.yaml) gives a graph
    /// of operator set 17's operators in which every value is computed once, before it is read.
    @Test func everyLayerTypeExportsAsAWellFormedGraph() throws {
        let path = Self.fixtures.appendingPathComponent("every_layer.yaml").path
        let graph = try Self.graph(try String(contentsOfFile: path, encoding: .utf8), path: path)
        let model = try Onnx_ModelProto(
            serializedBytes: try OnnxExporter.export(graph, weights: Self.indexWeights(graph), producerVersion: "1"))
        var available = Set(model.graph.initializer.map(\.name) + ["input", ""])
        #expect(available.count == model.graph.initializer.count + 2, "initializer names repeat")
        for node in model.graph.node {
            #expect(node.domain.isEmpty)
            #expect(Self.operators.contains(node.opType), "\(node.opType) is not one the exporter should write")
            for input in node.input {
                #expect(available.contains(input), "\(node.name) reads \(input) before it exists")
            }
            for output in node.output {
                #expect(!available.contains(output), "\(output) is computed twice")
                available.insert(output)
            }
        }
        #expect(available.contains("output"))
        let names = model.graph.node.map(\.name)
        #expect(Set(names).count == names.count, "node names repeat")
        // Each layer that computes something is a node of its name; dropout passes its input on.
        for layer in graph.nodes where layer.kind != .dropout {
            #expect(names.contains(layer.name), "no node named \(layer.name)")
        }
        let used = Set(model.graph.node.map(\.opType))
        for op in ["Erf", "Where", "Greater", "Resize", "Pad", "Slice", "Sum", "Mean", "ConvTranspose", "HardSigmoid"] {
            #expect(used.contains(op), "\(op) missing: a layer of the fixture was not exported as expected")
        }
    }

    @Test func kernelsAreInOnnxLayouts() throws {
        let model = try Self.export(
            """
            input: {shape: [5, 5, 2]}
            layers:
              - {type: conv2d, name: conv, filters: 4, kernel_size: [2, 3]}
              - {type: depthwise_conv2d, name: depthwise, kernel_size: 2, depth_multiplier: 3}
              - {type: conv2d_transpose, name: transposed, filters: 2, kernel_size: [3, 2], strides: 2}
              - {type: flatten}
              - {type: dense, name: dense, units: 5}
            """)
        // conv2d: Keras [kh, kw, in, out] is ONNX [out, in, kh, kw].
        let conv = try Self.initializer(model, "conv.kernel")
        #expect(conv.dims == [4, 2, 2, 3])
        for (o, i, y, x) in [(3, 1, 1, 2), (0, 1, 0, 1), (2, 0, 1, 0)] {
            #expect(conv.values[((o * 2 + i) * 2 + y) * 3 + x] == Float(((y * 3 + x) * 2 + i) * 4 + o))
        }
        // depthwise: Keras [kh, kw, C, mult] is ONNX [C·mult, 1, kh, kw], channel c·mult + m.
        let depthwise = try Self.initializer(model, "depthwise.kernel")
        #expect(depthwise.dims == [12, 1, 2, 2])
        for (c, m, y, x) in [(3, 2, 1, 0), (1, 0, 0, 1)] {
            #expect(depthwise.values[((c * 3 + m) * 2 + y) * 2 + x] == Float(((y * 2 + x) * 4 + c) * 3 + m))
        }
        #expect(try Self.node(model, "depthwise").attribute("group")?.i == 4)
        // conv2d_transpose: Keras [kh, kw, filters, in] is ONNX [in, filters, kh, kw].
        let transposed = try Self.initializer(model, "transposed.kernel")
        #expect(transposed.dims == [12, 2, 3, 2])
        for (i, f, y, x) in [(11, 1, 2, 1), (5, 0, 1, 0)] {
            #expect(transposed.values[((i * 2 + f) * 3 + y) * 2 + x] == Float(((y * 2 + x) * 2 + f) * 12 + i))
        }
        // dense: Gemm takes Keras's [in, units] as it is.
        let dense = try Self.initializer(model, "dense.kernel")
        #expect(dense.dims == [56, 5] && dense.values == (0..<280).map(Float.init))
        #expect(try Self.initializer(model, "dense.bias").dims == [5])
    }

    @Test func samePaddingIsExplicitWithTheSmallerHalfFirst() throws {
        let model = try Self.export(
            """
            input: {shape: [11, 8, 2]}
            layers:
              - {type: conv2d, name: conv, filters: 6, kernel_size: 3, strides: 2, padding: same}
              - {type: avg_pool2d, name: average, pool_size: 3, strides: 2, padding: same}
              - {type: max_pool2d, name: largest, pool_size: 2, strides: 1, padding: same}
              - {type: conv2d, name: dilated, filters: 2, kernel_size: 2, dilation_rate: 2, padding: same}
            """)
        // [top, left, bottom, right], as TensorFlow splits them.
        #expect(try Self.node(model, "conv").attribute("pads")?.ints == [1, 0, 1, 1])
        let average = try Self.node(model, "average")
        #expect(average.attribute("pads")?.ints == [0, 0, 1, 1])
        #expect(average.attribute("count_include_pad")?.i == 0)
        #expect(try Self.node(model, "largest").attribute("pads")?.ints == [0, 0, 1, 1])
        let dilated = try Self.node(model, "dilated")
        #expect(dilated.attribute("pads")?.ints == [1, 1, 1, 1] && dilated.attribute("dilations")?.ints == [2, 2])
    }

    /// Keras keeps in·s + max(k − s, 0) rows (`valid`) or in·s (`same`) of the full (in − 1)·s + k.
    @Test(
        arguments: [
            ("valid", 3, 2, [0, 0, 0, 0], nil),
            ("same", 3, 2, [0, 0, 1, 1], nil),
            ("same", 4, 2, [1, 1, 1, 1], nil),
            ("same", 5, 1, [2, 2, 2, 2], nil),
            ("valid", 1, 3, [0, 0, 0, 0], [2, 2]),
            ("same", 2, 3, [0, 0, 0, 0], [1, 1]),
        ] as [(String, Int, Int, [Int64], [Int64]?)])
    func transposedConvolutionsGiveKerasSizes(
        padding: String, kernel: Int, stride: Int, pads: [Int64], outputPadding: [Int64]?
    ) throws {
        let model = try Self.export(
            """
            input: {shape: [4, 4, 2]}
            layers:
              - {type: conv2d_transpose, name: up, filters: 3, kernel_size: \(kernel), strides: \(stride), padding: \(padding)}
            """)
        let node = try Self.node(model, "up")
        #expect(node.attribute("pads")?.ints == pads)
        #expect(node.attribute("output_padding")?.ints == outputPadding)
    }

    @Test func flattenTransposesToChannelsLastOnlyWhenTheOrdersDiffer() throws {
        let model = try Self.export(
            """
            input: {shape: [4, 4, 3]}
            layers:
              - {type: conv2d, name: conv, filters: 2, kernel_size: 3}
              - {type: flatten, name: flat}
              - {type: global_avg_pool2d, name: pooled, keepdims: true, inputs: [conv]}
              - {type: flatten, name: flat_pooled}
              - {type: conv2d, name: single, filters: 1, kernel_size: 1, inputs: [conv]}
              - {type: flatten, name: flat_single}
              - {type: concatenate, inputs: [flat, flat_pooled, flat_single]}
            """)
        let flat = try Self.node(model, "flat")
        #expect(flat.input == ["conv/nhwc"])
        let transpose = try #require(model.graph.node.first { $0.output == ["conv/nhwc"] })
        #expect(transpose.opType == "Transpose" && transpose.attribute("perm")?.ints == [0, 2, 3, 1])
        // One pixel, or one channel: [N, C, H, W] is in channels-last order already.
        #expect(try Self.node(model, "flat_pooled").input == ["pooled"])
        #expect(try Self.node(model, "flat_single").input == ["single"])
    }

    @Test func initializersAndNodesAreNamedAfterTheLayers() throws {
        let model = try Self.export(
            """
            input: {shape: [4, 4, 3]}
            layers:
              - {type: conv2d, filters: 2, kernel_size: 3, activation: relu}
              - {type: batch_norm}
              - {type: normalization}
              - {type: global_avg_pool2d}
            """)
        #expect(
            model.graph.initializer.map(\.name) == [
                "conv2d.kernel", "conv2d.bias", "batch_norm.gamma", "batch_norm.beta", "batch_norm.moving_mean",
                "batch_norm.moving_variance", "normalization.mean", "normalization/deviation",
            ])
        // The layer's last node has its name; the ones before it are named by their operator.
        #expect(try Self.node(model, "conv2d/Conv").output == ["conv2d/Conv"])
        #expect(try Self.node(model, "conv2d").opType == "Relu")
        #expect(try Self.node(model, "conv2d").output == ["conv2d"])
        #expect(try Self.node(model, "batch_norm").input.first == "conv2d")
        // Normalization's divisor is max(√variance, 1e-7), computed at export: variance 0 and 1.
        #expect(try Self.initializer(model, "normalization/deviation").values == [1e-7, 1])
    }

    @Test func weightsThatDoNotMatchAreAnError() throws {
        let graph = try Self.graph(
            """
            input: {shape: [4, 4, 3]}
            layers:
              - {type: conv2d, filters: 2, kernel_size: 3}
            """)
        var weights = Self.indexWeights(graph)
        weights["conv2d.kernel"] = Tensor(zeros: [3, 3, 3, 3])
        #expect(throws: FileFormatError.self) {
            _ = try OnnxExporter.export(graph, weights: weights, producerVersion: "1")
        }
    }
}
