// swift-tools-version:6.0
import PackageDescription

// An app that uses cnnc the way users will: the package depends on cnnc, and its target lists
// cnnc's build plugin, which compiles Sources/DigitsApp/Digits.cnnc.yaml into Swift at build time
// with the weights in Digits.safetensors beside it compiled in.
let package = Package(
    name: "DigitsApp",
    dependencies: [
        // In your package: .package(url: "https://github.com/…/cnnc", from: "…")
        .package(name: "cnnc", path: "../..")
    ],
    targets: [
        .executableTarget(
            name: "DigitsApp",
            plugins: [.plugin(name: "CNNCModels", package: "cnnc")]
        )
    ],
    swiftLanguageModes: [.v6]
)
