import CNNFormats
import Foundation
import Testing

@testable import CNNOnnx

/// Models that hold feature maps channels-last, as `cnnc export` and tf2onnx write them: an
/// [N, H, W, C] input read through a Transpose, maps transposed back for a Flatten or the output,
/// and crops written as Slice.
@Suite struct OnnxImporterChannelsLastTests {
    typealias Base = OnnxImporterTests

    static func transpose(_ input: String, _ output: String, _ perm: [Int], name: String) -> Onnx_NodeProto {
        var node = Base.node("Transpose", [input], [output], name: name)
        node.attribute = [.ints("perm", perm)]
        return node
    }

    static func imported(_ bytes: [UInt8]) throws -> ImportedModel {
        try OnnxImporter.importModel(try OnnxFile(bytes, path: "model.onnx"), name: "model")
    }

    /// The test models' input is [1, 2, 4, 4]: here H 2, W 4, C 4.
    static let weight = Base.tensor("w", dims: [3, 4, 1, 1], floats: (0..<12).map(Float.init))

    @Test func aChannelsLastInputAndOutputNeedNoTranspose() throws {
        let bytes = Base.model(
            nodes: [
                Self.transpose("input", "nchw", [0, 3, 1, 2], name: "to_nchw"),
                Base.node("Conv", ["nchw", "w"], ["conv"], name: "conv"),
                Self.transpose("conv", "output", [0, 2, 3, 1], name: "to_nhwc"),
            ], initializers: [Self.weight])
        let imported = try Self.imported(bytes)
        #expect(imported.spec.contains("  shape: [2, 4, 4]"), "\(imported.spec)")
        #expect(imported.spec.contains("{type: conv2d, name: conv, filters: 3, kernel_size: 1, use_bias: false}"))
        #expect(!imported.spec.contains("transpose"))
        // The output is channels-last on both sides, so nothing needs saying.
        #expect(imported.notes.isEmpty, "\(imported.notes)")
    }

    @Test func aFlattenOfChannelsLastDataKeepsTheSpecsOrder() throws {
        let bytes = Base.model(
            nodes: [
                Self.transpose("input", "nchw", [0, 3, 1, 2], name: "to_nchw"),
                Base.node("Conv", ["nchw", "w"], ["conv"], name: "conv"),
                Self.transpose("conv", "nhwc", [0, 2, 3, 1], name: "to_nhwc"),
                Base.node("Flatten", ["nhwc"], ["output"], name: "flat"),
            ], initializers: [Self.weight])
        let imported = try Self.imported(bytes)
        #expect(imported.spec.contains("{type: flatten, name: flat}"), "\(imported.spec)")
    }

    @Test func channelsLastDataReadAsChannelsFirstIsNamed() {
        let bytes = Base.model(nodes: [
            Self.transpose("input", "nchw", [0, 3, 1, 2], name: "to_nchw"),
            Self.transpose("nchw", "nhwc", [0, 2, 3, 1], name: "to_nhwc"),
            Base.node("Relu", ["nhwc"], ["output"], name: "relu"),
        ])
        let error = Base.importError(bytes)
        #expect(
            error?.notes == [
                "node 'to_nhwc' (Transpose): its [N, H, W, C] result is read by node 'relu' (Relu), which cnnc reads as [N, C, H, W] only"
            ], "\(String(describing: error))")
    }

    @Test func aSliceOfRowsAndColumnsIsACrop() throws {
        var initializers = [("starts", [1, 0]), ("ends", [2, -1]), ("axes", [2, 3])].map { name, values in
            var tensor = Onnx_TensorProto()
            tensor.name = name
            tensor.dims = [Int64(values.count)]
            tensor.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
            tensor.int64Data = values.map { Int64($0) }
            return tensor
        }
        initializers.append(Base.tensor("w", dims: [3, 2, 1, 1], floats: [1, 2, 3, 4, 5, 6]))
        // Channels-first here: the input is [N, 2, 4, 4], rows 1..<2 and columns 0..<3 are kept.
        let bytes = Base.model(
            nodes: [
                Base.node("Conv", ["input", "w"], ["conv"], name: "conv"),
                Base.node("Slice", ["conv", "starts", "ends", "axes"], ["output"], name: "crop"),
            ], initializers: initializers)
        let imported = try Self.imported(bytes)
        #expect(
            imported.spec.contains("{type: cropping2d, name: crop, cropping: [[1, 2], [0, 1]]}"), "\(imported.spec)")
    }
}
