import ArgumentParser
import CNNGraph
import CNNSpec
import Foundation

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Parse, validate and infer shapes; print every diagnostic.",
        discussion: """
            Prints nothing and exits 0 when every spec is clean, like a linter in a pre-commit hook; \
            otherwise the text format ends with a tally such as '2 errors, 1 warning in 3 files' on \
            standard error. \
            A directory is walked recursively for .yaml, .yml and .json files (hidden ones skipped); \
            those whose top level has neither 'input' nor 'layers' are not specs and are skipped.
            """
    )

    @Option(
        help:
            "Output format: text (swiftc style), json (one array), github (Actions annotations) or sarif (one SARIF 2.1.0 log)."
    )
    var format: DiagnosticFormat = .text

    @OptionGroup var options: DiagnosticOptions

    @Flag(
        help:
            "Skip named files that are not specs (neither 'input' nor 'layers' at the top), as in directories; for hooks that pass every changed YAML and JSON file."
    )
    var skipNonSpecs = false

    @Argument(help: "Spec files (.yaml, .yml or .json) or directories to search for them.")
    var specs: [String]

    func validate() throws {
        guard !specs.isEmpty else { throw ValidationError("give at least one spec file or directory") }
    }

    func run() throws {
        var renderer = DiagnosticRenderer(
            format: format, colored: Terminal.useColor(options.color, stream: .standardOutput))
        renderer.tool = SARIFTool(
            name: "cnnc", version: CNNC.version, informationURI: CNNC.informationURI, rules: DiagnosticRule.all)
        renderer.sourceRoot = FileManager.default.currentDirectoryPath
        var diagnostics: [Diagnostic] = []
        var files = 0
        for argument in specs {
            let walked = isDirectory(argument)
            for path in walked ? SpecDiscovery.files(under: argument) : [argument] {
                let compilation: Compilation
                switch SourceFile.read(path: path) {
                case .failure(let diagnostic):
                    compilation = Compilation(unreadable: diagnostic)
                case .success(let file):
                    if (walked || skipNonSpecs) && !SpecDiscovery.isSpec(file) { continue }
                    compilation = Compilation(file)
                }
                if let source = compilation.source { renderer.add(source) }
                diagnostics += compilation.diagnostics
                files += 1
            }
        }
        Terminal.write(renderer.render(diagnostics), to: .standardOutput)
        if format == .text, let tally = DiagnosticRenderer.tally(diagnostics, files: files) {
            Terminal.write(tally + "\n", to: .standardError)
        }
        if options.failed(diagnostics) { throw ExitCode.failure }
    }

    private func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
