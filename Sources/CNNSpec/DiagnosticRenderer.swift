/// How diagnostics are printed: `cnnc check --format text|json|github|sarif`.
public enum DiagnosticFormat: String, CaseIterable, Sendable {
    /// swiftc style: `path:line:col: error: message [code]`, the source line, a caret, then notes.
    case text
    /// One JSON array of `{file, line, column, severity, code, message, notes}`.
    case json
    /// GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message`.
    case github
    /// One SARIF 2.1.0 log: a run of `tool`, its rules, a result per diagnostic.
    case sarif
}

/// Renders collected diagnostics; producing them is the stages' business, printing is this one's.
public struct DiagnosticRenderer {
    public var format: DiagnosticFormat
    /// ANSI colors for a terminal (text format only).
    public var colored: Bool
    /// The tool and its rules, for SARIF.
    public var tool = SARIFTool(name: "cnnc", version: "", informationURI: nil, rules: [])
    /// The absolute directory relative paths start from, named in SARIF as `%SRCROOT%`; nil leaves
    /// it to the reader of the log.
    public var sourceRoot: String?
    /// Source files by path, for the line under each text diagnostic.
    private var sources: [String: SourceFile] = [:]

    public init(format: DiagnosticFormat, colored: Bool = false) {
        self.format = format
        self.colored = colored
    }

    /// Makes `file`'s text available for snippets.
    public mutating func add(_ file: SourceFile) {
        sources[file.path] = file
    }

    /// The whole output for `diagnostics`; for JSON an array even when empty, otherwise one line per
    /// item and nothing when there is nothing to say.
    public func render(_ diagnostics: [Diagnostic]) -> String {
        switch format {
        case .text: diagnostics.map(text).joined()
        case .json: JSON.array(diagnostics.map(json)).rendered(pretty: true) + "\n"
        case .github: diagnostics.map(github).joined()
        case .sarif: sarif(diagnostics).rendered(pretty: true) + "\n"
        }
    }

    /// The line a text report ends with, swiftc and SwiftLint style: "2 errors, 1 warning in 3
    /// files", counting the files checked; nil when there is nothing to report.
    public static func tally(_ diagnostics: [Diagnostic], files: Int) -> String? {
        guard !diagnostics.isEmpty else { return nil }
        func counted(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }
        let errors = diagnostics.filter { $0.severity == .error }.count
        return "\(counted(errors, "error")), \(counted(diagnostics.count - errors, "warning")) in \(counted(files, "file"))"
    }

    private func paint(_ text: String, _ code: String) -> String {
        colored ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    private func text(_ diagnostic: Diagnostic) -> String {
        let label = diagnostic.severity == .error ? paint("error:", "1;31") : paint("warning:", "1;35")
        var output = paint("\(diagnostic.location):", "1") + " \(label) " + paint(diagnostic.message, "1")
            + " [\(diagnostic.code)]\n"
        output += snippet(at: diagnostic.location)
        for note in diagnostic.notes {
            let prefix = note.location.map { "\($0): " } ?? ""
            output += paint(prefix, "1") + paint("note:", "1;30") + " \(note.message)\n"
            if let location = note.location, location.line != diagnostic.location.line {
                output += snippet(at: location)
            }
        }
        return output
    }

    /// At most this many columns of a source line are shown.
    static let snippetWidth = 100

    /// The source line and a caret under the column; tabs in the line are kept so the caret lines
    /// up. A line wider than `snippetWidth` is cut to a window around the column, with `…` where
    /// text is left out.
    private func snippet(at location: SourceLocation) -> String {
        guard let source = sources[location.file], let line = source.line(location.line) else { return "" }
        let scalars = Array(line.unicodeScalars)
        let caret = min(max(location.column - 1, 0), scalars.count)
        var window = 0..<scalars.count
        if scalars.count > Self.snippetWidth {
            let start = max(0, min(caret - Self.snippetWidth / 2, scalars.count - Self.snippetWidth))
            window = start..<(start + Self.snippetWidth)
        }
        let head = window.lowerBound > 0 ? "…" : ""
        let tail = window.upperBound < scalars.count ? "…" : ""
        var shown = String.UnicodeScalarView()
        shown.append(contentsOf: scalars[window])
        var padding = head.isEmpty ? "" : " "
        for scalar in scalars[window.lowerBound..<caret] {
            padding.append(scalar == "\t" ? "\t" : " ")
        }
        return head + String(shown) + tail + "\n" + padding + paint("^", "1;32") + "\n"
    }

    private func json(_ diagnostic: Diagnostic) -> JSON {
        .object([
            ("file", .string(diagnostic.location.file)),
            ("line", .int(diagnostic.location.line)),
            ("column", .int(diagnostic.location.column)),
            ("severity", .string(diagnostic.severity.rawValue)),
            ("code", .string(diagnostic.code.rawValue)),
            ("message", .string(diagnostic.message)),
            (
                "notes",
                .array(
                    diagnostic.notes.map { note in
                        var members: [(String, JSON)] = [("message", .string(note.message))]
                        if let location = note.location {
                            members += [("line", .int(location.line)), ("column", .int(location.column))]
                        }
                        return .object(members)
                    })
            ),
        ])
    }

    private func github(_ diagnostic: Diagnostic) -> String {
        let location = diagnostic.location
        let properties = [
            "file=\(escapeProperty(location.file))", "line=\(location.line)", "col=\(location.column)",
            "title=\(escapeProperty("cnnc: \(diagnostic.code)"))",
        ].joined(separator: ",")
        let message = ([diagnostic.message] + diagnostic.notes.map { "note: \($0.message)" }).joined(separator: "\n")
        return "::\(diagnostic.severity.rawValue) \(properties)::\(escapeData(message))\n"
    }

    private func escapeData(_ text: String) -> String {
        text.replacingAll("%", with: "%25").replacingAll("\r", with: "%0D").replacingAll("\n", with: "%0A")
    }

    private func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingAll(":", with: "%3A").replacingAll(",", with: "%2C")
    }
}

extension String {
    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
