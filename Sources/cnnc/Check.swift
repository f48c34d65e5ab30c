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
            those whose top level has neither 'input' nor 'layers' are not specs and are skipped. \
            A model over a budget (the options below, or the spec's 'limits:', which each option \
            overrides) is an error whose notes name the layers that contribute most.
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

    @Option(
        name: .customLong("max-params"),
        help: ArgumentHelp(
            "Budget: the most parameters a model may have (overrides the spec's limits.max_params).", valueName: "N"))
    var maxParams: Int?

    @Option(
        name: .customLong("max-macs"),
        help: ArgumentHelp("Budget: the most multiply-adds per sample (overrides limits.max_macs).", valueName: "N"))
    var maxMACs: Int?

    @Option(
        name: .customLong("max-activation-bytes"),
        help: ArgumentHelp(
            "Budget: the most bytes of the largest float32 activation of one sample (overrides limits.max_activation_bytes).",
            valueName: "N")
    )
    var maxActivationBytes: Int?

    @Argument(help: "Spec files (.yaml, .yml or .json) or directories to search for them.")
    var specs: [String]

    func validate() throws {
        guard !specs.isEmpty else { throw ValidationError("give at least one spec file or directory") }
        for (flag, value) in [
            ("--max-params", maxParams), ("--max-macs", maxMACs), ("--max-activation-bytes", maxActivationBytes),
        ] {
            if let value, value < 1 { throw ValidationError("\(flag) must be a positive integer, not \(value)") }
        }
    }

    func run() throws {
        var renderer = DiagnosticRenderer(
            format: format, colored: Terminal.useColor(options.color, stream: .standardOutput))
        renderer.tool = SARIFTool(
            name: "cnnc", version: CNNC.version, informationURI: CNNC.informationURI, rules: DiagnosticRule.all)
        renderer.sourceRoot = FileManager.default.currentDirectoryPath
        let limits = ModelLimits(maxParams: maxParams, maxMACs: maxMACs, maxActivationBytes: maxActivationBytes)
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
                    compilation = Compilation(file, limits: limits)
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
