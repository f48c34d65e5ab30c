import Foundation
import Testing

/// `cnnc check DIR` and `--skip-non-specs`: specs among a repository's other YAML and JSON files.
@Suite struct CheckDirectoryTests {
    /// A folder with two specs (one broken, one with a space in its name), a spec that does not parse,
    /// files that are not specs, a hidden folder and a non-spec extension.
    private func repository() throws -> URL {
        let root = try Paths.temporaryDirectory()
        let files = [
            "package.json": #"{"name": "web", "version": "1.0.0"}"#,
            "docker-compose.yaml": "services:\n  web: {image: nginx}\n",
            ".github/workflows/ci.yml": "on: push\njobs: {}\n",
            "models/good model.yml": "input: {shape: [4]}\nlayers: [{type: dense, units: 2}]\n",
            "models/bad.json": #"{"input": {"shape": [4]}, "layers": [{"type": "dense", "units": 0}]}"#,
            "models/deep/broken.yaml": "input: {shape: [4]\nlayers: []\n",
            ".hidden/ignored.yaml": "input: {shape: [4]}\nlayers: []\n",
            "notes.txt": "input: not a spec file extension\n",
        ]
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return root
    }

    @Test func directoryIsWalkedAndNonSpecsSkipped() throws {
        let root = try repository()
        defer { try? FileManager.default.removeItem(at: root) }
        let run = try Run(["check", "--format", "json", root.path])
        #expect(run.status == 1)
        let diagnostics = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        let files = diagnostics.compactMap { ($0["file"] as? String).map { String($0.dropFirst(root.path.count + 1)) } }
        #expect(files == ["models/bad.json", "models/deep/broken.yaml"])
        #expect(diagnostics.compactMap { $0["code"] as? String } == ["non-positive", "parse-error"])
    }

    @Test func cleanDirectoryPassesQuietly() throws {
        let root = try repository()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.removeItem(at: root.appendingPathComponent("models/bad.json"))
        try FileManager.default.removeItem(at: root.appendingPathComponent("models/deep"))
        let run = try Run(["check", root.path])
        #expect(run.status == 0, "\(run.stdout)")
        #expect(run.stdout.isEmpty)
    }

    @Test func namedFilesAreCheckedUnlessSkippingNonSpecs() throws {
        let root = try repository()
        defer { try? FileManager.default.removeItem(at: root) }
        let named = ["package.json", "docker-compose.yaml", "models/good model.yml"].map { root.appendingPathComponent($0).path }
        #expect(try Run(["check"] + named).status == 1)
        let skipping = try Run(["check", "--skip-non-specs", "--warnings-as-errors"] + named)
        #expect(skipping.status == 0, "\(skipping.stdout)")
        #expect(skipping.stdout.isEmpty)
    }
}
