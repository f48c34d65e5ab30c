import Foundation

// Classifies the test digits of Examples/PyTorchDigits with the model cnnc's build plugin
// compiled from Digits.cnnc.yaml (the type `Digits`, its weights compiled in).
//
//     swift run DigitsApp [IMAGES.npy LABELS.npy]

let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
let examples = here.appending(path: "../../../PyTorchDigits").standardized
let arguments = CommandLine.arguments.dropFirst()
let imagesPath = arguments.first ?? examples.appending(path: "test_images.npy").path
let labelsPath = arguments.dropFirst().first ?? examples.appending(path: "test_labels.npy").path

/// The data of a little-endian NumPy array file: what follows its header.
func npyData(_ path: String) -> Data {
    guard let file = FileManager.default.contents(atPath: path), file.count > 10 else {
        fatalError("cannot read \(path)")
    }
    let headerLength = Int(file[8]) | Int(file[9]) << 8
    return file.dropFirst(10 + headerLength)
}

let images: [Float] = npyData(imagesPath).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
let labels: [Int64] = npyData(labelsPath).withUnsafeBytes { Array($0.bindMemory(to: Int64.self)) }

let model = Digits()
let scores = model.predict(images)
let right = labels.indices.filter { sample in
    let row = scores[sample * Digits.outputCount..<(sample + 1) * Digits.outputCount]
    return Int64(row.firstIndex(of: row.max()!)! - sample * Digits.outputCount) == labels[sample]
}.count
print(
    "Digits: \(right) of \(labels.count) test images right (\(String(format: "%.2f", 100 * Double(right) / Double(labels.count)))%)"
)
