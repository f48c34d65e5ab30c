import PackagePlugin

/// Embeds the text of the CNNKernels module into the target it is applied to (the emitter), as
/// `KernelSource.text`: the kernels the interpreter compiles are the ones `cnnc build` prints.
@main
struct EmbedKernelSource: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let kernels = try context.package.targets(named: ["CNNKernels"]).first as? SourceModuleTarget else {
            throw PluginError(description: "the package has no CNNKernels module to embed")
        }
        let files = kernels.sourceFiles(withSuffix: "swift").map(\.url)
        let output = context.pluginWorkDirectoryURL.appending(path: "KernelSource.swift")
        return [
            .buildCommand(
                displayName: "Embedding the kernel source in \(target.name)",
                executable: try context.tool(named: "KernelEmbedder").url,
                arguments: [output.path] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output])
        ]
    }
}

struct PluginError: Error, CustomStringConvertible {
    var description: String
}
