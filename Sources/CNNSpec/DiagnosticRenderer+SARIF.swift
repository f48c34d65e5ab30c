/// The tool a SARIF log names: cnnc, its version and home, and a rule for every code it can report.
public struct SARIFTool: Sendable {
    /// `tool.driver.name`.
    public var name: String
    /// `tool.driver.version`.
    public var version: String
    /// `tool.driver.informationUri`, an absolute URI.
    public var informationURI: String?
    /// `tool.driver.rules`: every rule the tool has, whether or not a run reports it.
    public var rules: [DiagnosticRule]

    /// The tool a log names.
    public init(name: String, version: String, informationURI: String?, rules: [DiagnosticRule]) {
        self.name = name
        self.version = version
        self.informationURI = informationURI
        self.rules = rules
    }
}

/// `--format sarif`: one SARIF 2.1.0 log (https://docs.oasis-open.org/sarif/sarif/v2.1.0/) with one
/// run, as GitHub code scanning and SARIF viewers read it.
///
/// Each diagnostic is a result: its code as `ruleId` (and the rule's index), its severity as
/// `level`, its message with each note on a line of its own after it, and its file, line and
/// column. A relative path stays relative, against `%SRCROOT%` (the directory cnnc ran in); an
/// absolute one becomes a `file:` URI. Notes that point somewhere are also `relatedLocations`.
/// Columns count Unicode scalars (`columnKind: unicodeCodePoints`).
extension DiagnosticRenderer {
    static let sarifSchema = "https://json.schemastore.org/sarif-2.1.0.json"
    static let sourceRootID = "%SRCROOT%"

    func sarif(_ diagnostics: [Diagnostic]) -> JSON {
        var driver: [(String, JSON)] = [("name", .string(tool.name)), ("version", .string(tool.version))]
        if let uri = tool.informationURI { driver.append(("informationUri", .string(uri))) }
        driver.append(("rules", .array(tool.rules.map(rule))))
        var run: [(String, JSON)] = [("tool", .object([("driver", .object(driver))]))]
        if let sourceRoot {
            let directory = sourceRoot.hasSuffix("/") ? sourceRoot : sourceRoot + "/"
            let root = JSON.object([("uri", .string("file://" + Self.percentEncoded(directory)))])
            run.append(("originalUriBaseIds", .object([(Self.sourceRootID, root)])))
        }
        run.append(("columnKind", .string("unicodeCodePoints")))
        run.append(("results", .array(diagnostics.map(result))))
        return .object([
            ("$schema", .string(Self.sarifSchema)),
            ("version", .string("2.1.0")),
            ("runs", .array([.object(run)])),
        ])
    }

    private func rule(_ rule: DiagnosticRule) -> JSON {
        .object([
            ("id", .string(rule.code.rawValue)),
            ("shortDescription", .object([("text", .string(rule.summary))])),
            ("fullDescription", .object([("text", .string(rule.explanation))])),
            ("defaultConfiguration", .object([("level", .string(rule.severity.rawValue))])),
        ])
    }

    private func result(_ diagnostic: Diagnostic) -> JSON {
        var members: [(String, JSON)] = [("ruleId", .string(diagnostic.code.rawValue))]
        if let index = tool.rules.firstIndex(where: { $0.code == diagnostic.code }) {
            members.append(("ruleIndex", .int(index)))
        }
        let text = ([diagnostic.message] + diagnostic.notes.map { "note: \($0.message)" }).joined(separator: "\n")
        members += [
            ("level", .string(diagnostic.severity.rawValue)),
            ("message", .object([("text", .string(text))])),
            ("locations", .array([.object([("physicalLocation", physicalLocation(diagnostic.location))])])),
        ]
        let related = diagnostic.notes.compactMap { note in note.location.map { (note.message, $0) } }
        if !related.isEmpty {
            members.append(
                (
                    "relatedLocations",
                    .array(
                        related.enumerated().map { index, note in
                            .object([
                                ("id", .int(index + 1)),
                                ("physicalLocation", physicalLocation(note.1)),
                                ("message", .object([("text", .string(note.0))])),
                            ])
                        })
                ))
        }
        return .object(members)
    }

    private func physicalLocation(_ location: SourceLocation) -> JSON {
        var artifact: [(String, JSON)]
        if location.file.hasPrefix("/") {
            artifact = [("uri", .string("file://" + Self.percentEncoded(location.file)))]
        } else {
            artifact = [
                ("uri", .string(Self.percentEncoded(location.file))), ("uriBaseId", .string(Self.sourceRootID)),
            ]
        }
        return .object([
            ("artifactLocation", .object(artifact)),
            (
                "region",
                .object([("startLine", .int(max(location.line, 1))), ("startColumn", .int(max(location.column, 1)))])
            ),
        ])
    }

    /// A path as a URI reference: every byte but unreserved characters and `/` percent-encoded
    /// (`my model.yaml` is `my%20model.yaml`).
    static func percentEncoded(_ path: String) -> String {
        var output = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"), UInt8(ascii: "/"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                output += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return output
    }
}
