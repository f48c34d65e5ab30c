// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets for cnnc, kept out of the root package's build. Build and run them with
// `Fuzz/run.sh TARGET SECONDS` (see README.md): the whole graph is compiled with
// `-sanitize=fuzzer,address`, so the libraries under test carry coverage and ASan checks, and
// linked with lld (run.sh says why).

let package = Package(
    name: "cnnc-fuzz",
    dependencies: [.package(name: "cnnc", path: "..")],
    targets: [
        // libFuzzer's entry point, declared for Swift; the symbol comes from `-sanitize=fuzzer`.
        .systemLibrary(name: "CLibFuzzer"),
        // The driver every target hands its `main` to, and the deterministic inputs they share.
        .target(
            name: "FuzzSupport", dependencies: ["CLibFuzzer", .product(name: "CNNCompiler", package: "cnnc")]),
        // Spec bytes through the front end, summary, interpreter and Swift emitter.
        .executableTarget(
            name: "FuzzSpec", dependencies: ["FuzzSupport", .product(name: "CNNCompiler", package: "cnnc")]),
        // Bytes through the safetensors reader.
        .executableTarget(
            name: "FuzzSafeTensors", dependencies: ["FuzzSupport", .product(name: "CNNCompiler", package: "cnnc")]),
        // Bytes through the ONNX reader and importer.
        .executableTarget(
            name: "FuzzOnnx", dependencies: ["FuzzSupport", .product(name: "CNNCompiler", package: "cnnc")]),
        // Bytes through the .npy reader.
        .executableTarget(
            name: "FuzzNumPy", dependencies: ["FuzzSupport", .product(name: "CNNCompiler", package: "cnnc")]),
    ],
    swiftLanguageModes: [.v6]
)
