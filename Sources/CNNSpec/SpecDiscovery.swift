import Foundation

/// Telling specs from the other YAML and JSON files of a repository, for `cnnc check DIR` and hooks.
public enum SpecDiscovery {
    /// The extensions `cnnc check DIR` looks at.
    public static let extensions: Set<String> = ["yaml", "yml", "json"]

    /// Whether `file` is meant as a spec: its top level has `input` or `layers`.
    ///
    /// `package.json` or `docker-compose.yaml` are not specs. A file that does not parse at all
    /// counts as one when a line starts with either key (`input:`, `"layers":`), so that a spec
    /// with a syntax error is still reported rather than skipped.
    public static func isSpec(_ file: SourceFile) -> Bool {
        let (root, problems) = SpecParser.readDocument(file)
        guard problems.isEmpty else { return mentionsSpecKey(file.text) }
        guard case .mapping(let pairs)? = root?.kind else { return false }
        return pairs.contains { $0.key.value == "input" || $0.key.value == "layers" }
    }

    /// The files with a spec extension under `directory`, recursively and sorted. Hidden files and
    /// folders (`.git`, `.build`) are skipped, and symbolic links to folders are not followed.
    public static func files(under directory: String) -> [String] {
        let root = URL(fileURLWithPath: directory)
        guard
            let walker = FileManager.default.enumerator(
                at: root, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
        else { return [] }
        var found: [String] = []
        for case let url as URL in walker where extensions.contains(url.pathExtension.lowercased()) {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
            let relative = url.path.hasPrefix(root.path + "/") ? String(url.path.dropFirst(root.path.count + 1)) : url.lastPathComponent
            found.append(directory.hasSuffix("/") ? directory + relative : directory + "/" + relative)
        }
        return found.sorted()
    }

    /// A line that starts a top-level `input` or `layers` key, in YAML block style or in JSON.
    private static func mentionsSpecKey(_ text: String) -> Bool {
        text.split(separator: "\n").contains { line in
            var rest = line.drop { $0 == " " || $0 == "\t" || $0 == "{" }
            if rest.first == "\"" { rest = rest.dropFirst() }
            for key in ["input", "layers"] where rest.hasPrefix(key) {
                let after = rest.dropFirst(key.count).drop { $0 == "\"" || $0 == " " }
                if after.first == ":" { return true }
            }
            return false
        }
    }
}
