import Foundation

/// A spec file of a target and what building it reads and writes. Shared by both plugins:
/// Plugins/GenerateCNNCModels/ModelSpec.swift links to this file.
struct ModelSpec {
    static let suffixes = [".cnnc.yaml", ".cnnc.yml", ".cnnc.json"]

    var url: URL
    /// "Digits" for Digits.cnnc.yaml.
    var stem: String
    var weights: URL?

    init?(_ url: URL) {
        let name = url.lastPathComponent
        guard let suffix = Self.suffixes.first(where: { name.hasSuffix($0) }), name.count > suffix.count else {
            return nil
        }
        self.url = url
        stem = String(name.dropLast(suffix.count))
        let beside = url.deletingLastPathComponent().appending(path: "\(stem).safetensors")
        weights = FileManager.default.fileExists(atPath: beside.path) ? beside : nil
    }

    var swiftFile: String { "\(stem).swift" }

    var inputs: [URL] { [url] + (weights.map { [$0] } ?? []) }

    func buildArguments(into directory: URL) -> [String] {
        ["build", url.path, "-o", directory.path, "--file-name", swiftFile]
            + (weights.map { ["--embed-weights", $0.path] } ?? [])
    }
}
