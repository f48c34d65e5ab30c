import CNNFormats
import FuzzSupport

// Bytes through the safetensors reader. Whatever it accepts must survive the writer: encoding the
// tensors and metadata it read and decoding them again gives the same tensors, bit for bit.
runFuzzer { bytes in
    guard let file = try? SafeTensors.decodeWithMetadata(bytes, path: "fuzz.safetensors") else { return }
    let encoded = SafeTensors.encode(file.tensors, metadata: file.metadata)
    let again = encoded.withUnsafeBytes { try? SafeTensors.decodeWithMetadata($0, path: "encoded.safetensors") }
    guard let again else { fatalError("the writer's file does not read back: \(encoded.count) bytes") }
    precondition(again.metadata == file.metadata, "metadata changed in the round trip")
    precondition(Set(again.tensors.keys) == Set(file.tensors.keys), "tensor names changed in the round trip")
    for (name, tensor) in file.tensors {
        precondition(Deterministic.identical(tensor, again.tensors[name]!), "tensor '\(name)' changed in the round trip")
    }
}
