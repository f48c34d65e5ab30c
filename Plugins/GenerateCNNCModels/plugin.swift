import Foundation
import PackagePlugin

/// `swift package generate-cnnc-models [--target NAME ...]`: writes the Swift for every spec among
/// the targets' sources (`*.cnnc.yaml`, `*.cnnc.yml`, `*.cnnc.json`) into the package, beside the
/// spec, as `Digits.swift` for `Digits.cnnc.yaml`, so that it can be reviewed and committed and the
/// build needs neither cnnc nor the build plugin. Weights in `Digits.safetensors` beside the spec
/// are compiled in, as the build plugin does.
@main
struct GenerateCNNCModels: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {
        var extractor = ArgumentExtractor(arguments)
        let names = extractor.extractOption(named: "target")
        let targets =
            names.isEmpty
            ? context.package.targets : try context.package.targets(named: names)
        let cnnc = try context.tool(named: "cnnc").url
        var written = 0
        for case let target as SourceModuleTarget in targets {
            for spec in target.sourceFiles.map(\.url).compactMap(ModelSpec.init) {
                let process = Process()
                process.executableURL = cnnc
                process.arguments = spec.buildArguments(into: spec.url.deletingLastPathComponent())
                try process.run()
                process.waitUntilExit()
                guard process.terminationStatus == 0 else {
                    throw GenerationError(description: "cnnc build failed for \(spec.url.path)")
                }
                print("wrote \(spec.url.deletingLastPathComponent().appending(path: spec.swiftFile).path)")
                written += 1
            }
        }
        if written == 0 { print("no *.cnnc.yaml, *.cnnc.yml or *.cnnc.json spec among the targets' sources") }
    }
}

struct GenerationError: Error, CustomStringConvertible {
    var description: String
}
