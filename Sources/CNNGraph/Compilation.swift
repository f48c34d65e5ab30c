import CNNSpec

/// The front end as one call: read a spec file, parse it, validate it.
public struct Compilation: Sendable {
    /// The source, when the file could be read (for diagnostic snippets).
    public var source: SourceFile?
    /// The validated graph; nil when any error was found.
    public var graph: Graph?
    /// Every diagnostic, in source order.
    public var diagnostics: [Diagnostic]

    /// Compiles the spec at `path`; `limits` (the command line's) override the spec's budgets.
    public init(path: String, limits: ModelLimits = ModelLimits()) {
        switch SourceFile.read(path: path) {
        case .failure(let diagnostic):
            self.init(unreadable: diagnostic)
        case .success(let file):
            self.init(file, limits: limits)
        }
    }

    /// A file that could not be read: `diagnostic` says why.
    public init(unreadable diagnostic: Diagnostic) {
        self.init(source: nil, graph: nil, diagnostics: [diagnostic])
    }

    /// Compiles spec text already in memory. A model over a budget (`limits`, each overriding the
    /// spec's `limits:` value of its budget) is an error, and then there is no graph.
    public init(_ file: SourceFile, limits: ModelLimits = ModelLimits()) {
        let (spec, parseDiagnostics) = SpecParser.parse(file)
        var diagnostics = parseDiagnostics
        var graph: Graph?
        if let spec {
            let built = GraphBuilder.build(spec)
            graph = parseDiagnostics.hasErrors ? nil : built.graph
            diagnostics += built.diagnostics
            if let valid = graph {
                let over = Budgets.check(valid, spec: spec, commandLine: limits)
                diagnostics += over
                if over.hasErrors { graph = nil }
            }
        }
        self.init(source: file, graph: graph, diagnostics: diagnostics.sortedBySource())
    }

    private init(source: SourceFile?, graph: Graph?, diagnostics: [Diagnostic]) {
        self.source = source
        self.graph = graph
        self.diagnostics = diagnostics
    }
}
