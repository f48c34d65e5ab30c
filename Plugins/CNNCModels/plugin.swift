import Foundation
import PackagePlugin

/// Compiles every spec among a target's sources (`*.cnnc.yaml`, `*.cnnc.yml`, `*.cnnc.json`) into
/// the Swift that `cnnc build` writes, at build time: `Digits.cnnc.yaml` becomes `Digits.swift`,
/// whose type is named by the spec's `name` (or `Digits`). When `Digits.safetensors` sits beside
/// the spec, its weights are compiled in (`--embed-weights`) and `Digits()` needs no file;
/// otherwise the model loads them at run time, `Digits(weightsAt:)`.
@main
struct CNNCModels: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let cnnc = try context.tool(named: "cnnc").url
        return target.sourceFiles.map(\.url).compactMap(ModelSpec.init).map { spec in
            let output = context.pluginWorkDirectoryURL
            return .buildCommand(
                displayName: "Compiling \(spec.url.lastPathComponent) with cnnc",
                executable: cnnc,
                arguments: spec.buildArguments(into: output),
                inputFiles: spec.inputs,
                outputFiles: [output.appending(path: spec.swiftFile)])
        }
    }
}
