import CNNSpec

/// The front end as one call: read a spec file, parse it, validate it.
public struct Compilation: Sendable {
    /// The source, when the file could be read (for diagnostic snippets).
    public var source: SourceFile?
    /// The validated graph; nil when any error was found.
    public var graph: Graph?
    /// Every diagnostic, in source order.
    public var diagnostics: [Diagnostic]

    /// Compiles the spec at `path`.
    public init(path: String) {
        switch SourceFile.read(path: path) {
        case .failure(let diagnostic):
            self.init(unreadable: diagnostic)
        case .success(let file):
            self.init(file)
        }
    }

    /// A file that could not be read: `diagnostic` says why.
    public init(unreadable diagnostic: Diagnostic) {
        self.init(source: nil, graph: nil, diagnostics: [diagnostic])
    }

    /// Compiles spec text already in memory.
    public init(_ file: SourceFile) {
        let (spec, parseDiagnostics) = SpecParser.parse(file)
        var diagnostics = parseDiagnostics
        var graph: Graph?
        if let spec {
            let built = GraphBuilder.build(spec)
            graph = parseDiagnostics.hasErrors ? nil : built.graph
            diagnostics += built.diagnostics
        }
        self.init(source: file, graph: graph, diagnostics: diagnostics.sortedBySource())
    }

    private init(source: SourceFile?, graph: Graph?, diagnostics: [Diagnostic]) {
        self.source = source
        self.graph = graph
        self.diagnostics = diagnostics
    }
}
