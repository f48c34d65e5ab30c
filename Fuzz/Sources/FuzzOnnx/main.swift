import CNNFormats
import CNNOnnx
import FuzzSupport

// Bytes through the ONNX reader and the importer. Whatever they accept has already been checked by
// the importer itself (the spec it writes compiles, its weights match the spec's tensors); a
// hostile model (huge dimensions, cycles, missing or external data) must be an error, never a
// crash, a hang or a huge allocation.
runFuzzer { bytes in
    guard let file = try? OnnxFile(Array(bytes), path: "fuzz.onnx") else { return }
    _ = try? OnnxImporter.importModel(file, name: "fuzz")
}
