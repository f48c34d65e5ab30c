import CNNFormats
import CNNGraph
import CNNInterpreter
import CNNSpec
import Foundation
import TestSupport
import Testing

/// The golden generated models in `Models/`, compiled into this target, against the interpreter on
/// the same random weights and inputs.
@Suite struct GeneratedModelTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A generated model as the tests drive it.
    struct Model: Sendable, CustomTestStringConvertible {
        var spec: String
        var batch: Int
        /// The model's `predict(_:threads:)`.
        var load: @Sendable (String) throws -> @Sendable ([Float], Int) -> [Float]
        var testDescription: String { spec }
    }

    static let models: [Model] = [
        Model(spec: "mnist.yaml", batch: 3) { path in try MNISTClassifier(weightsAt: path).predict(_:threads:) },
        Model(spec: "lenet5.yaml", batch: 3) { path in try LeNet5(weightsAt: path).predict(_:threads:) },
        Model(spec: "residual_block.yaml", batch: 2) { path in try ResidualBlock(weightsAt: path).predict(_:threads:) },
        Model(spec: "mobilenet_block.json", batch: 2) { path in try MobileNetBlock(weightsAt: path).predict(_:threads:)
        },
        Model(spec: "cifar_vgg.yaml", batch: 1) { path in try CIFARVGG(weightsAt: path).predict(_:threads:) },
    ]

    @Test(arguments: models)
    func generatedModelMatchesInterpreter(_ model: Model) throws {
        let graph = try #require(Compilation(path: Self.root.appendingPathComponent("specs/\(model.spec)").path).graph)
        var tensors: [String: Tensor] = [:]
        for (index, node) in graph.nodes.enumerated() {
            for weight in node.weights {
                let count = weight.shape.reduce(1, *)
                // Variances must be positive; everything else in [-0.5, 0.5).
                let values = randomScalars(count, seed: UInt64(index * 10 + weight.name.count)).map {
                    weight.name == "moving_variance" ? 1 + $0 / 2 : $0 / 2
                }
                tensors["\(node.name).\(weight.name)"] = Tensor(shape: weight.shape, scalars: values)
            }
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "cnnc-generated-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("weights.safetensors").path
        try SafeTensors.write(tensors, to: path)

        let inputShape = [model.batch] + graph.inputShape.dimensions
        let input = Tensor(
            shape: inputShape, scalars: randomScalars(inputShape.reduce(1, *), seed: 99).map { $0 / 2 + 0.5 })
        let expected = try Interpreter(graph: graph, weights: tensors, weightsPath: path).run(input)
        let predict = try model.load(path)
        let output = predict(input.scalars, 1)
        #expect(tensorMismatch(Tensor(shape: expected.shape, scalars: output), expected) == nil)
        // More threads than samples, as many, fewer: bitwise the one-thread output.
        for threads in [2, 3, 8] {
            #expect(predict(input.scalars, threads).map(\.bitPattern) == output.map(\.bitPattern), "\(threads) threads")
        }
    }

    /// A file too short, a header length past the end of the file (the largest one too) or data
    /// offsets past it are errors the model's initializer throws, naming the problem.
    @Test func corruptFilesAreThrownNotTrapped() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cnnc-corrupt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let header = Array(#"{"conv2d.kernel":{"dtype":"F16","shape":[3,3,1,32],"data_offsets":[0,576]}}"#.utf8)
        let files: [(bytes: [UInt8], problem: String)] = [
            ([1, 2, 3], "too short for a safetensors file"),
            (Self.littleEndian(1000) + header, "header length 1000 runs past the end of the file"),
            (Self.littleEndian(.max) + header, "header length 18446744073709551615 runs past the end of the file"),
            (
                Self.littleEndian(UInt64(header.count)) + header + [0, 0],
                "tensor 'conv2d.kernel' has data_offsets [0, 576] that do not fit its shape or the file"
            ),
        ]
        for (index, file) in files.enumerated() {
            let path = folder.appendingPathComponent("\(index).safetensors").path
            try Data(file.bytes).write(to: URL(fileURLWithPath: path))
            do {
                _ = try MNISTClassifier(weightsAt: path)
                Issue.record("file \(index) loaded")
            } catch {
                #expect(error.description.contains(file.problem), "\(error.description)")
            }
        }
    }

    /// The generated reader converts F16, BF16 and F64 exactly: MNIST's weights written as values
    /// each of them holds (multiples of 2⁻⁷ from -1/2 to 1/2, and in the last bias half-precision
    /// subnormals, -0 and larger values) load to the same floats as the F32 file, so the outputs are
    /// bitwise the same.
    @Test(arguments: ["F16", "BF16", "F64"])
    func otherDtypesLoadAsTheirFloats(_ dtype: String) throws {
        let graph = try #require(Compilation(path: Self.root.appendingPathComponent("specs/mnist.yaml").path).graph)
        var tensors: [(name: String, shape: [Int], values: [Float])] = []
        for (index, node) in graph.nodes.enumerated() {
            for weight in node.weights {
                let values = randomScalars(weight.shape.reduce(1, *), seed: UInt64(index)).map {
                    ($0 * 64).rounded() / 128
                }
                tensors.append(("\(node.name).\(weight.name)", weight.shape, values))
            }
        }
        let special: [Float] = [0x1p-24, -0x3p-24, -0x1p-20, -0.0, 96, -3.5, 0x1.8p-14, 1, 0.5, -0.75]
        tensors[tensors.count - 1].values = special
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cnnc-dtypes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (f32, other) = (folder.appendingPathComponent("f32.safetensors"), folder.appendingPathComponent("other"))
        try SafeTensors.write(
            Dictionary(uniqueKeysWithValues: tensors.map { ($0.name, Tensor(shape: $0.shape, scalars: $0.values)) }),
            to: f32.path)
        try Data(Self.safeTensors(tensors, dtype: dtype)).write(to: other)

        let input = randomScalars(3 * 784, seed: 5).map { $0 / 2 + 0.5 }
        let expected = try MNISTClassifier(weightsAt: f32.path).predict(input)
        let output = try MNISTClassifier(weightsAt: other.path).predict(input)
        #expect(output.map(\.bitPattern) == expected.map(\.bitPattern))
        #expect(expected.allSatisfy { $0.isFinite })
    }

    /// A safetensors file of `tensors` as `dtype` (F16, BF16 or F64), each value exactly representable.
    static func safeTensors(_ tensors: [(name: String, shape: [Int], values: [Float])], dtype: String) -> [UInt8] {
        func bytes(_ value: Float) -> [UInt8] {
            let bits: UInt64
            switch dtype {
            case "F16":
                let sign = UInt64(value.sign == .minus ? 0x8000 : 0)
                if value == 0 {
                    bits = sign
                } else if value.exponent >= -14 {
                    bits = sign | UInt64(value.exponent + 15) << 10 | UInt64(value.significandBitPattern >> 13)
                } else {
                    bits = sign | UInt64(value.magnitude * 0x1p24)
                }
            case "BF16": bits = UInt64(value.bitPattern >> 16)
            default: bits = Double(value).bitPattern
            }
            return Array(littleEndian(bits).prefix(dtype == "F64" ? 8 : 2))
        }
        var (entries, data) = ([String](), [UInt8]())
        for tensor in tensors {
            let start = data.count
            for value in tensor.values { data += bytes(value) }
            entries.append(
                #""\#(tensor.name)":{"dtype":"\#(dtype)","shape":\#(tensor.shape),"data_offsets":[\#(start),\#(data.count)]}"#
            )
        }
        let header = Array("{\(entries.joined(separator: ","))}".utf8)
        return littleEndian(UInt64(header.count)) + header + data
    }

    /// The 8 bytes of `value`, little-endian: a safetensors header's length, or a value's bytes.
    static func littleEndian(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    @Test func mismatchedWeightsAreThrownNotTrapped() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "cnnc-generated-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("bad.safetensors").path
        try SafeTensors.write(["conv2d.kernel": Tensor(zeros: [3, 3, 1, 31]), "stray": Tensor(zeros: [1])], to: path)
        do {
            _ = try MNISTClassifier(weightsAt: path)
            Issue.record("loading mismatched weights succeeded")
        } catch {
            let text = error.description
            #expect(text.hasPrefix("\(path): error: "))
            #expect(text.contains("'conv2d.kernel' has shape [3, 3, 1, 31]; the spec needs [3, 3, 1, 32]"))
            #expect(text.contains("missing 'dense_1.bias', shape [10]"))
            #expect(text.contains("unexpected 'stray' [1]"))
        }
        #expect(throws: MNISTClassifier.LoadError.self) {
            try MNISTClassifier(weightsAt: folder.appendingPathComponent("absent").path)
        }
    }
}
