/// How serious a diagnostic is.
public enum Severity: String, Sendable, Comparable {
    case warning
    case error

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs == .warning && rhs == .error }
}

/// A stable identifier for a kind of diagnostic (`unknown-key`, `kernel-too-large`, …): the name
/// users put in scripts and that the docs list. The catalogue of codes lives beside the factories
/// that produce them (`SpecDiagnostics.swift`, `GraphDiagnostics.swift`).
public struct DiagnosticCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}

/// A secondary message attached to a diagnostic, optionally pointing somewhere else.
public struct DiagnosticNote: Hashable, Sendable {
    public var message: String
    public var location: SourceLocation?

    public init(_ message: String, at location: SourceLocation? = nil) {
        self.message = message
        self.location = location
    }
}

/// One finding about a spec: produced by a stage, collected, rendered later.
public struct Diagnostic: Error, Hashable, Sendable {
    public var severity: Severity
    public var code: DiagnosticCode
    public var message: String
    public var location: SourceLocation
    public var notes: [DiagnosticNote]

    public init(
        _ severity: Severity, _ code: DiagnosticCode, _ message: String, at location: SourceLocation,
        notes: [DiagnosticNote] = []
    ) {
        self.severity = severity
        self.code = code
        self.message = message
        self.location = location
        self.notes = notes
    }

    /// Adds a note; returns the diagnostic for chaining in factories.
    public func noting(_ message: String, at location: SourceLocation? = nil) -> Diagnostic {
        var copy = self
        copy.notes.append(DiagnosticNote(message, at: location))
        return copy
    }

    /// Adds "did you mean …?" when a suggestion exists.
    public func suggesting(_ suggestion: String?) -> Diagnostic {
        guard let suggestion else { return self }
        return noting("did you mean '\(suggestion)'?")
    }
}

extension Array where Element == Diagnostic {
    /// Whether any diagnostic is an error.
    public var hasErrors: Bool { contains { $0.severity == .error } }

    /// Source order: file, line, column; stable for equal positions.
    public func sortedBySource() -> [Diagnostic] {
        enumerated().sorted { a, b in
            let (l, r) = (a.element.location, b.element.location)
            if l.file != r.file { return l.file < r.file }
            if l.line != r.line { return l.line < r.line }
            if l.column != r.column { return l.column < r.column }
            return a.offset < b.offset
        }.map(\.element)
    }
}

/// What a diagnostic code stands for: its severity and a description, for `--format sarif`'s rules
/// and for documentation. Each catalogue lists one rule per code it declares
/// (`SpecDiagnostics+Rules.swift`, `GraphDiagnostics+Rules.swift`).
public struct DiagnosticRule: Sendable {
    /// The code the rule describes.
    public var code: DiagnosticCode
    /// The severity every diagnostic of the code has.
    public var severity: Severity
    /// A title: "Unknown key".
    public var summary: String
    /// What makes cnnc report it, and what to do.
    public var explanation: String

    /// A rule: the code, its severity, a title and an explanation.
    public init(_ code: DiagnosticCode, _ severity: Severity, _ summary: String, _ explanation: String) {
        self.code = code
        self.severity = severity
        self.summary = summary
        self.explanation = explanation
    }
}
