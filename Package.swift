// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "cnnc",
    products: [
        .executable(name: "cnnc", targets: ["cnnc"]),
        // Compiles the *.cnnc.yaml, *.cnnc.yml and *.cnnc.json specs among a target's sources at build time.
        .plugin(name: "CNNCModels", targets: ["CNNCModels"]),
        // `swift package generate-cnnc-models`: writes that Swift into the package, to be committed.
        .plugin(name: "GenerateCNNCModels", targets: ["GenerateCNNCModels"]),
        .library(name: "CNNCompiler", targets: ["CNNSpec", "CNNGraph", "CNNFormats", "CNNKernels", "CNNInterpreter", "CNNEmitter", "CNNOnnx", "CNNPicture"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        // `swift package generate-documentation`: the CNNCompiler library's documentation (DocC).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // Source files, locations, diagnostics and the YAML/JSON front end. The only module that imports Yams.
        .target(name: "CNNSpec", dependencies: ["Yams"]),
        // Operations, shape rules, validation and the model summary.
        .target(name: "CNNGraph", dependencies: ["CNNSpec"]),
        // Tensors and their files: safetensors weights and NumPy .npy arrays. Depends on nothing.
        .target(name: "CNNFormats"),
        // The kernels of both back ends: the interpreter calls them, the emitter prints their text
        // into every generated model (standard library and Foundation only).
        .target(name: "CNNKernels"),
        // The first back end: an execution plan over a validated graph, run by the kernels.
        .target(name: "CNNInterpreter", dependencies: ["CNNGraph", "CNNFormats", "CNNKernels"]),
        // The second back end: a graph printed as specialized, dependency-free Swift source.
        .target(
            name: "CNNEmitter", dependencies: ["CNNGraph", "CNNFormats", "CNNKernels", "CNNInterpreter"]),
        // Writes CNNKernels' text as the emitter's KernelSource.swift (committed; KernelSourceTests
        // checks it is current).
        .executableTarget(name: "KernelEmbedder"),
        // ONNX models in and out: `cnnc import` and `cnnc export`. Onnx.pb.swift is generated from
        // onnx.proto once and committed (its header says how), so no protobuf compiler is built.
        .target(
            name: "CNNOnnx",
            dependencies: [
                "CNNSpec", "CNNGraph", "CNNFormats", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]),
        // Pictures of a model (`cnnc graph`): a layered layout drawn as SVG, or Graphviz DOT and Mermaid text.
        .target(name: "CNNPicture", dependencies: ["CNNGraph"]),
        // The command line: each subcommand makes one call into the libraries.
        .executableTarget(
            name: "cnnc",
            dependencies: [
                "CNNSpec", "CNNGraph", "CNNFormats", "CNNInterpreter", "CNNEmitter", "CNNOnnx", "CNNPicture",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The plugins users apply: both run `cnnc build` on every spec of a target's sources
        // (ModelSpec.swift, linked into both, names the files).
        .plugin(name: "CNNCModels", capability: .buildTool(), dependencies: ["cnnc"]),
        .plugin(
            name: "GenerateCNNCModels",
            capability: .command(
                intent: .custom(
                    verb: "generate-cnnc-models",
                    description: "Write the Swift of every *.cnnc.yaml spec beside it, to be committed"),
                permissions: [.writeToPackageDirectory(reason: "writes the Swift of each model spec beside the spec")]),
            dependencies: ["cnnc"]),
        // Shared by the test targets: spec snippets with 1️⃣ location markers, tensor tolerances.
        .target(name: "TestSupport", dependencies: ["CNNSpec", "CNNFormats"], path: "Tests/TestSupport"),
        .testTarget(name: "CNNSpecTests", dependencies: ["CNNSpec", "TestSupport"]),
        .testTarget(name: "CNNGraphTests", dependencies: ["CNNGraph", "CNNSpec", "TestSupport"]),
        .testTarget(name: "CNNFormatsTests", dependencies: ["CNNFormats"]),
        .testTarget(name: "CNNKernelsTests", dependencies: ["CNNKernels"]),
        .testTarget(name: "CNNPictureTests", dependencies: ["CNNPicture", "CNNGraph", "CNNSpec"]),
        .testTarget(
            name: "CNNOnnxTests",
            dependencies: [
                "CNNOnnx", "CNNFormats", "CNNGraph", "CNNSpec", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]),
        .testTarget(
            name: "CNNInterpreterTests", dependencies: ["CNNInterpreter", "CNNGraph", "CNNSpec", "CNNFormats", "TestSupport"]),
        .testTarget(
            name: "CNNEmitterTests", dependencies: ["CNNEmitter", "CNNGraph", "CNNSpec", "CNNFormats"], exclude: ["Goldens"]),
        // Golden generated sources (Models/, re-recorded by CNNEmitterTests) compiled and run
        // against the interpreter.
        .testTarget(
            name: "GeneratedModelTests",
            dependencies: ["CNNInterpreter", "CNNGraph", "CNNSpec", "CNNFormats", "TestSupport"]),
        // Fixtures/ holds files the tests read; Crashers/ the inputs the fuzzer (Fuzz/) crashed cnnc
        // with, which CrasherTests runs through every subcommand.
        .testTarget(
            name: "cnncTests",
            dependencies: ["CNNGraph", "CNNSpec", "CNNFormats", "CNNInterpreter", "CNNEmitter", "CNNOnnx", "TestSupport"],
            exclude: ["Fixtures", "Crashers"]),
    ],
    swiftLanguageModes: [.v6]
)
