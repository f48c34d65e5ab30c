import CNNFormats
import CNNSpec
import Foundation
import Testing

/// What people used to Keras write, and the one diagnostic each gets, with the note that helps.
@Suite struct KerasHabitTests {
    /// The codes and all notes of compiling `text`.
    private func report(_ text: String, path: String = "spec.yaml") -> (codes: [String], notes: [String]) {
        let diagnostics = compile(text, path: path).diagnostics
        return (diagnostics.map(\.code.rawValue), diagnostics.flatMap { $0.notes.map(\.message) })
    }

    @Test(arguments: [
        ("  - {type: conv2d, filters: 2, kernel_size: (3,3)}\n", "write [3, 3]"),
        ("  - type: conv2d\n    filters: 2\n    kernel_size: (3, 3)\n", "write [3, 3]"),
        ("  - {type: max_pool2d, pool_size: (2, 2)}\n", "write [2, 2]"),
        ("  - {type: conv2d, filters: 2, kernel_size: 3, strides: (1, 2, )}\n", "write [1, 2]"),
    ])
    func pythonTuplesAreOneErrorWithAListToWrite(layer: String, note: String) {
        let (codes, notes) = report("input: {shape: [8, 8, 1]}\nlayers:\n" + layer)
        #expect(codes == ["wrong-type"], "\(notes)")
        #expect(notes.contains { $0.hasPrefix(note) }, "\(notes)")
    }

    @Test func tupleInAFlowMappingDoesNotMakeStridesMissing() {
        let diagnostics = compile("input: {shape: [8, 8, 1]}\nlayers: [{type: max_pool2d, pool_size: (2, 2)}]\n").diagnostics
        #expect(diagnostics.map(\.code.rawValue) == ["wrong-type"])
        #expect(diagnostics.first?.message == "'pool_size' must be an integer or a list of two integers, found string '(2, 2)'")
    }

    @Test(arguments: [("input_shape: [8, 8, 1]", "[8, 8, 1]"), ("batch_input_shape: [null, 28, 28, 3]", "[28, 28, 3]")])
    func topLevelInputShapeSuggestsInput(line: String, shape: String) {
        let (codes, notes) = report(line + "\nlayers: [{type: flatten}]\n")
        #expect(codes == ["unknown-key"], "no second error for the missing 'input'")
        #expect(notes == ["write the input as 'input: {shape: \(shape)}' (the batch axis is implied)"])
    }

    @Test func batchAxisInTheShapeIsNamed() {
        let (codes, notes) = report("input: {shape: [null, 8, 8, 1]}\nlayers: [{type: flatten}]\n")
        #expect(codes == ["wrong-type"])
        #expect(notes == ["the batch axis is implied: write [8, 8, 1]"])
    }

    @Test(arguments: [
        ("data_format: channels_first", "cnnc is channels-last (Keras's default)"),
        ("data_format: channels_last", "cnnc is always channels-last"),
        ("input_shape: [8, 8, 1]", "give the model's input once"),
        ("kernel_initializer: he_normal", "'kernel_initializer' matters only for training"),
    ])
    func layerKeysFromKerasSayWhatToDo(key: String, note: String) {
        let (codes, notes) = report("input: {shape: [8, 8, 1]}\nlayers:\n  - {type: conv2d, filters: 2, kernel_size: 3, \(key)}\n")
        #expect(codes == ["unknown-key"])
        #expect(notes.count == 1 && notes[0].hasPrefix(note), "\(notes)")
    }

    @Test func kerasModelJSONIsRecognised() throws {
        let url = Paths.packageRoot.appendingPathComponent("Tests/cnncTests/Fixtures/keras_model.json")
        let run = try Run(["check", url.path])
        #expect(run.status == 1)
        #expect(run.stdout.contains("error: this is a Keras Sequential model as model.to_json() writes it, not a cnnc spec [keras-model-file]"))
        #expect(run.stdout.components(separatedBy: "error:").count == 2, "one error, not one per key: \(run.stdout)")
    }

    @Test func wrongFileKindsAreNamed() throws {
        let folder = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let files: [(String, [UInt8])] = [
            ("model.keras", [0x50, 0x4B, 0x03, 0x04] + Array(repeating: 0, count: 60)),
            ("weights.h5", [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 0, count: 60)),
        ]
        let spec = Paths.specs.appendingPathComponent("mnist.yaml").path
        let input = folder.appendingPathComponent("x.npy").path
        try NumPyArray.write(Tensor(zeros: [1, 28, 28, 1]), to: input)
        for (name, bytes) in files {
            let path = folder.appendingPathComponent(name).path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let weights = try Run(["run", spec, "--weights", path, "--input", input, "--output", input + ".out"])
            #expect(weights.status == 1)
            #expect(weights.stderr.contains(name == "model.keras" ? "this is a zip archive (a Keras .keras model" : "this is an HDF5 file"), "\(weights.stderr)")
        }
        let npz = try Run(["run", spec, "--weights", folder.appendingPathComponent("weights.h5").path, "--input", folder.appendingPathComponent("model.keras").path, "--output", input + ".out"])
        #expect(npz.status == 1)
    }

    @Test(arguments: [([450, 8, 8], "add the channel axis: x[..., np.newaxis] gives [450, 8, 8, 1]"), ([2, 1, 8, 8], "x.transpose(0, 2, 3, 1) gives [2, 8, 8, 1]")])
    func inputWithoutOrBeforeTheChannelAxisGetsAHint(shape: [Int], hint: String) throws {
        let folder = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let spec = folder.appendingPathComponent("m.yaml")
        try Data("input: {shape: [8, 8, 1]}\nlayers: [{type: flatten}]\n".utf8).write(to: spec)
        let weights = folder.appendingPathComponent("w.safetensors").path
        try SafeTensors.write([:], to: weights)
        let input = folder.appendingPathComponent("x.npy").path
        try NumPyArray.write(Tensor(zeros: shape), to: input)
        let run = try Run(["run", spec.path, "--weights", weights, "--input", input, "--output", input + ".out"])
        #expect(run.status == 1)
        #expect(run.stderr.contains(hint), "\(run.stderr)")
    }
}
