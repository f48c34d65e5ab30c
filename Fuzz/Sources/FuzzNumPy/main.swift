import CNNFormats
import FuzzSupport

// Bytes through the .npy reader. Whatever it accepts must survive the writer: encoding the array
// as float32 and decoding it again gives the same shape and the same bits.
runFuzzer { bytes in
    guard let tensor = try? NumPyArray.decode(bytes, path: "fuzz.npy") else { return }
    let encoded = NumPyArray.encode(tensor)
    let again = encoded.withUnsafeBytes { try? NumPyArray.decode($0, path: "encoded.npy") }
    guard let again else { fatalError("the writer's file does not read back: \(encoded.count) bytes") }
    precondition(Deterministic.identical(tensor, again), "the array changed in the round trip")
}
