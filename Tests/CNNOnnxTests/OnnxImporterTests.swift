import CNNFormats
import Foundation
import SwiftProtobuf
import Testing

@testable import CNNOnnx

/// The importer on models built here: hostile ones (wrong sizes, cycles, missing and external
/// data) are errors that say what is wrong, never a crash or a huge allocation.
@Suite struct OnnxImporterTests {
    static func tensor(_ name: String, dims: [Int64], floats: [Float]) -> Onnx_TensorProto {
        var tensor = Onnx_TensorProto()
        tensor.name = name
        tensor.dims = dims
        tensor.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        tensor.floatData = floats
        return tensor
    }

    static func node(_ op: String, _ inputs: [String], _ outputs: [String], name: String = "") -> Onnx_NodeProto {
        var node = Onnx_NodeProto()
        node.opType = op
        node.input = inputs
        node.output = outputs
        node.name = name
        return node
    }

    static func model(
        nodes: [Onnx_NodeProto], initializers: [Onnx_TensorProto] = [], inputs: [String] = ["input"], opset: Int64 = 13
    ) -> [UInt8] {
        var model = Onnx_ModelProto()
        model.irVersion = 8
        var set = Onnx_OperatorSetIdProto()
        set.version = opset
        model.opsetImport = [set]
        var graph = Onnx_GraphProto()
        graph.node = nodes
        graph.initializer = initializers
        for name in inputs {
            var value = Onnx_ValueInfoProto()
            value.name = name
            var type = Onnx_TypeProto.Tensor()
            type.elemType = 1
            for size: Int64 in [1, 2, 4, 4] {
                var dim = Onnx_TensorShapeProto.Dimension()
                dim.dimValue = size
                type.shape.dim.append(dim)
            }
            value.type.tensorType = type
            graph.input.append(value)
        }
        var output = Onnx_ValueInfoProto()
        output.name = nodes.last?.output.first ?? "output"
        graph.output = [output]
        model.graph = graph
        return try! model.serializedBytes()
    }

    static func importError(_ bytes: [UInt8]) -> FileFormatError? {
        do {
            _ = try OnnxImporter.importModel(try OnnxFile(bytes, path: "model.onnx"), name: "model")
            return nil
        } catch {
            return error
        }
    }

    static let relu = model(nodes: [node("Relu", ["input"], ["output"])])

    @Test func aPlainModelImports() throws {
        let imported = try OnnxImporter.importModel(try OnnxFile(Self.relu, path: "model.onnx"), name: "model")
        #expect(imported.spec.contains("  shape: [4, 4, 2]"))
        #expect(imported.spec.contains("- {type: activation, name: activation, activation: relu}  # Relu"))
    }

    @Test func nodeNamesCannotBreakTheSpec() throws {
        let bytes = Self.model(nodes: [Self.node("Relu", ["input"], ["output"], name: "x\nlayers: []\n# #")])
        let imported = try OnnxImporter.importModel(try OnnxFile(bytes, path: "model.onnx"), name: "model")
        #expect(imported.spec.contains("{type: activation, name: x_layers, activation: relu}  # x?layers: []?# #"))
    }

    @Test func hugeDimensionsAreErrorsBeforeAnyAllocation() {
        let weight = Self.tensor("w", dims: [1 << 40, 1 << 40, 3, 3], floats: [1])
        let bytes = Self.model(nodes: [Self.node("Conv", ["input", "w"], ["output"])], initializers: [weight])
        let error = Self.importError(bytes)
        #expect(
            error?.notes.first?.contains("has a dimension of 1099511627776") == true, "\(String(describing: error))")
    }

    static func shape(_ name: String, _ values: [Int64]) -> Onnx_TensorProto {
        var tensor = Onnx_TensorProto()
        tensor.name = name
        tensor.dims = [Int64(values.count)]
        tensor.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
        tensor.int64Data = values
        return tensor
    }

    /// Reshape targets whose sizes multiply past Int.max (the fuzzer's find) are errors, not traps:
    /// of the input, of a constant, with and without a -1 or a 0 to infer.
    @Test(arguments: [
        [1, 1 << 40, 1 << 40, -1], [-1, 1 << 40, 1 << 40], [1, 0, -1, 1 << 62, 4], [1 << 40, 1 << 40, -1],
    ])
    func reshapesPastIntMaxAreErrors(target: [Int64]) {
        let ofInput = Self.model(
            nodes: [Self.node("Reshape", ["input", "s"], ["output"])], initializers: [Self.shape("s", target)])
        #expect(Self.importError(ofInput) != nil)
        let ofConstant = Self.model(
            nodes: [Self.node("Reshape", ["c", "s"], ["r"]), Self.node("Add", ["input", "r"], ["output"])],
            initializers: [Self.tensor("c", dims: [4], floats: [1, 2, 3, 4]), Self.shape("s", target)])
        #expect(Self.importError(ofConstant) != nil)
    }

    /// A ConstantOfShape of a few bytes cannot make the importer allocate gigabytes (the fuzzer's
    /// find: 100,663,297 elements, 800 MB of integers).
    @Test func constantOfShapeIsLimited() {
        let bytes = Self.model(
            nodes: [
                Self.node("ConstantOfShape", ["shape"], ["zeros"]), Self.node("Add", ["input", "zeros"], ["output"]),
            ],
            initializers: [Self.shape("shape", [100_663_297])])
        let error = Self.importError(bytes)
        #expect(
            error?.notes.first?.contains("more than the 65536 elements cnnc folds into a constant") == true,
            "\(String(describing: error))")
    }

    /// A Slice of the batch axis is a range, never a list of its 2^31 indices: backwards it is an
    /// error at once (the fuzzer's find took more than ten seconds), forwards over all of it a crop.
    @Test func slicesOfTheBatchAxisAreRanges() throws {
        func slice(starts: [Int64], ends: [Int64], axes: [Int64], steps: [Int64]) -> [UInt8] {
            Self.model(
                nodes: [Self.node("Slice", ["input", "starts", "ends", "axes", "steps"], ["output"])],
                initializers: [
                    Self.shape("starts", starts), Self.shape("ends", ends), Self.shape("axes", axes),
                    Self.shape("steps", steps),
                ])
        }
        let clock = ContinuousClock()
        let start = clock.now
        let backwards = Self.importError(slice(starts: [-1], ends: [Int64.min], axes: [0], steps: [-1]))
        #expect(
            backwards?.notes.first?.contains("slices axis 0 by step -1") == true, "\(String(describing: backwards))")
        #expect(clock.now - start < .seconds(1))
        let bytes = slice(starts: [0, 1], ends: [Int64.max, 3], axes: [0, 2], steps: [1, 1])
        let imported = try OnnxImporter.importModel(try OnnxFile(bytes, path: "model.onnx"), name: "model")
        #expect(imported.spec.contains("cropping: [[1, 1], [0, 0]]"), "\(imported.spec)")
    }

    /// Resize scales that are no whole number, infinite or NaN among them (the fuzzer's find), are errors.
    @Test(arguments: [Float.infinity, -.infinity, .nan, 1e30, 2.5])
    func resizeScalesThatAreNoWholeFactorAreErrors(scale: Float) {
        let scales = Self.tensor("scales", dims: [4], floats: [1, 1, scale, 2])
        let bytes = Self.model(
            nodes: [Self.node("Resize", ["input", "", "scales"], ["output"])], initializers: [scales])
        let error = Self.importError(bytes)
        #expect(error?.notes.first?.contains("whole factors") == true, "\(String(describing: error))")
    }

    @Test func dataShorterThanItsShapeIsAnError() {
        let weight = Self.tensor("w", dims: [4, 2, 3, 3], floats: [1, 2, 3])
        let error = Self.importError(
            Self.model(nodes: [Self.node("Conv", ["input", "w"], ["output"])], initializers: [weight]))
        #expect(
            error?.notes.first?.contains("tensor 'w' has shape [4, 2, 3, 3] but holds 3 values") == true,
            "\(String(describing: error))")
    }

    static func external(_ fields: [String: String]) -> [UInt8] {
        var weight = tensor("w", dims: [4, 2, 3, 3], floats: [])
        weight.dataLocation = .external
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            var entry = Onnx_StringStringEntryProto()
            entry.key = key
            entry.value = value
            weight.externalData.append(entry)
        }
        return model(nodes: [node("Conv", ["input", "w"], ["output"])], initializers: [weight])
    }

    @Test func externalDataIsReadFromBesideTheModelOnly() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cnnc-external-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let values = (0..<72).map { Float($0) / 10 }
        try values.withUnsafeBytes { Data($0) }.write(to: folder.appendingPathComponent("model.onnx.data"))
        let modelPath = folder.appendingPathComponent("model.onnx").path

        let good = Self.external(["location": "model.onnx.data", "offset": "0", "length": "288"])
        let imported = try OnnxImporter.importModel(try OnnxFile(good, path: modelPath), name: "model")
        #expect(imported.weights["conv2d.kernel"]?.scalars.sorted() == values.sorted())

        func problem(_ fields: [String: String]) -> String {
            do {
                _ = try OnnxImporter.importModel(try OnnxFile(Self.external(fields), path: modelPath), name: "model")
                return "imported"
            } catch {
                return error.notes.joined(separator: "\n")
            }
        }
        #expect(problem(["location": "../model.onnx.data"]).contains("outside the model's folder"))
        #expect(problem(["location": "/etc/passwd"]).contains("outside the model's folder"))
        #expect(problem(["location": "absent.data"]).contains("save_as_external_data=False"))
        #expect(problem(["location": "model.onnx.data", "offset": "100", "length": "288"]).contains("which has 288"))
        #expect(problem(["location": "model.onnx.data", "offset": "-4"]).contains("not a pair of sizes"))
        #expect(problem([:]).contains("names none"))
    }

    @Test func aMissingInitializerIsNamed() {
        let error = Self.importError(Self.model(nodes: [Self.node("Conv", ["input", "w"], ["output"], name: "conv")]))
        #expect(error?.message == "the graph reads values nothing provides")
        #expect(error?.notes == ["node 'conv' (Conv) reads 'w', which no node, input or initializer provides"])
    }

    @Test func aCycleIsAnError() {
        let bytes = Self.model(nodes: [
            Self.node("Add", ["input", "b"], ["a"], name: "first"), Self.node("Relu", ["a"], ["b"], name: "second"),
            Self.node("Relu", ["b"], ["output"]),
        ])
        #expect(Self.importError(bytes)?.message == "the graph has a cycle")
    }

    @Test func unknownOperatorSetsAndShapesAreErrors() {
        let old = Self.model(nodes: [Self.node("Relu", ["input"], ["output"])], opset: 5)
        #expect(Self.importError(old)?.message.contains("operator set 5") == true)
        let two = Self.model(nodes: [Self.node("Add", ["a", "b"], ["output"])], inputs: ["a", "b"])
        #expect(Self.importError(two)?.message.contains("has 2 inputs (a, b)") == true)
    }

    @Test func truncatedAndRandomBytesAreErrors() {
        for cut in stride(from: 1, to: Self.relu.count, by: 7) {
            // Either a decoding error or a model missing pieces; never a crash.
            _ = Self.importError(Array(Self.relu.prefix(cut)))
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            _ = Self.importError((0..<64).map { _ in UInt8.random(in: 0...255, using: &generator) })
        }
    }

    /// Every operator with too few, odd or repeated inputs and no attributes: an error or a model,
    /// never a trap.
    @Test(arguments: OnnxImporter.operators.sorted())
    func operatorsSurviveMalformedNodes(_ op: String) {
        let weight = Self.tensor("w", dims: [2], floats: [1, 2])
        for inputs in [
            [], [""], ["input"], ["w"], ["input", "input"], ["input", "w", "w", "w", "w"], ["w", "input"],
        ] {
            for outputs in [["output"], ["output", "mask"], ["", "output"]] {
                let bytes = Self.model(nodes: [Self.node(op, inputs, outputs)], initializers: [weight])
                _ = Self.importError(bytes)
            }
        }
    }

    /// Every operator with every integer attribute, and integer tensors for its inputs, at the
    /// extremes of Int64 and around zero (the fuzzer's finds: `abs(Int64.min)` in Pad, overflowing
    /// products): an error or a model, never a trap.
    @Test(arguments: OnnxImporter.operators.sorted())
    func operatorsSurviveExtremeIntegers(_ op: String) {
        let names = [
            "axis", "axes", "kernel_shape", "strides", "pads", "dilations", "group", "perm", "shape", "starts", "ends",
            "allowzero", "count_include_pad", "ceil_mode", "keepdims", "transA", "transB", "to", "output_padding",
            "output_shape", "value_int", "value_ints", "split",
        ]
        for extreme: Int64 in [.min, .max, -1, 0, 1 << 40, -(1 << 31)] {
            var node = Self.node(op, ["input", "i1", "i2", "i3", "i4"], ["output"])
            for name in names {
                var attribute = Onnx_AttributeProto()
                attribute.name = name
                if name.hasSuffix("s") || name == "shape" || name == "perm" || name == "pads" {
                    attribute.type = .ints
                    attribute.ints = [extreme, extreme, extreme, extreme]
                } else {
                    attribute.type = .int
                    attribute.i = extreme
                }
                node.attribute.append(attribute)
            }
            let tensors = ["i1", "i2", "i3", "i4"].map { Self.shape($0, [0, 0, extreme, extreme]) }
            _ = Self.importError(Self.model(nodes: [node], initializers: tensors))
            // And through a Pad of the model's data, as the fuzzer's model had it.
            let pad = Self.node("Pad", ["input", "pads"], ["output"])
            _ = Self.importError(
                Self.model(nodes: [pad], initializers: [Self.shape("pads", [0, 0, extreme, 0, 0, 0, extreme, 0])]))
        }
    }

    /// Maps grow only so far: a chain of upsamplings (1,024 times each) is an error once a side
    /// passes 2^20, before any size arithmetic can overflow.
    @Test func chainsOfUpsamplingAreBounded() {
        var nodes: [Onnx_NodeProto] = []
        var previous = "input"
        for index in 0..<8 {
            let output = index == 7 ? "output" : "up\(index)"
            nodes.append(Self.node("Resize", [previous, "", "scales"], [output]))
            previous = output
        }
        let scales = Self.tensor("scales", dims: [4], floats: [1, 1, 1024, 1024])
        let error = Self.importError(Self.model(nodes: nodes, initializers: [scales]))
        #expect(error?.notes.first?.contains("larger than cnnc imports") == true, "\(String(describing: error))")
    }

    @Test func permutedReordersAxes() {
        // [2, 3] transposed.
        #expect(OnnxImporter.permuted([1, 2, 3, 4, 5, 6], dims: [2, 3], order: [1, 0]) == [1, 4, 2, 5, 3, 6])
        // ONNX [M=2, C=1, kh=1, kw=2] to Keras [kh, kw, C, M].
        #expect(OnnxImporter.permuted([1, 2, 3, 4], dims: [2, 1, 1, 2], order: [2, 3, 1, 0]) == [1, 3, 2, 4])
    }

    @Test func namesFollowPyTorchsModulePaths() {
        #expect(
            OnnxImporter.specName("/layer1/layer1.0/conv1/Conv", opType: "Conv", type: "conv2d") == "layer1_0_conv1")
        #expect(OnnxImporter.specName("/features/features.0/Conv", opType: "Conv", type: "conv2d") == "features_0")
        #expect(OnnxImporter.specName("", opType: "Conv", type: "conv2d") == "conv2d")
        #expect(OnnxImporter.specName("0", opType: "Relu", type: "activation") == "activation_0")
    }

    @Test func halfPrecisionWidens() {
        #expect(Constant.halfToFloat(0x3C00) == 1)
        #expect(Constant.halfToFloat(0xC000) == -2)
        #expect(Constant.halfToFloat(0x0001) == 0x1p-24)
        #expect(Constant.halfToFloat(0x7C00) == .infinity)
    }
}
