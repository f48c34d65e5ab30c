import CNNGraph
import Foundation
import Testing

@testable import CNNPicture

/// The pictures the README shows are what `cnnc graph` draws now: the SVGs in `docs/graphs` and
/// the Mermaid block in the README. Re-record both with `CNNC_RECORD_GOLDENS=1 swift test
/// --filter DocsPictureTests`, then look at them (`Tests/Graph/render.sh`) and review `git diff`.
@Suite struct DocsPictureTests {
    static let root = Examples.specs.deletingLastPathComponent()
    static let recording = ProcessInfo.processInfo.environment["CNNC_RECORD_GOLDENS"] != nil
    static let markers = (start: "<!-- graph-mermaid:start -->\n```mermaid\n", end: "```\n<!-- graph-mermaid:end -->")

    @Test(arguments: ["residual_block", "unet_small", "resnet50"])
    func svgInDocsIsCurrent(name: String) throws {
        let svg = ModelPicture(try Examples.graph("\(name).yaml")).rendered(as: .svg)
        let file = Self.root.appendingPathComponent("docs/graphs/\(name).svg")
        if Self.recording { try Data(svg.utf8).write(to: file) }
        #expect(try String(contentsOf: file, encoding: .utf8) == svg, "re-record with CNNC_RECORD_GOLDENS=1")
    }

    @Test func mermaidInReadmeIsCurrent() throws {
        let mermaid = ModelPicture(try Examples.graph("residual_block.yaml")).rendered(as: .mermaid)
        let file = Self.root.appendingPathComponent("README.md")
        var readme = try String(contentsOf: file, encoding: .utf8)
        let start = try #require(readme.range(of: Self.markers.start))
        let end = try #require(readme.range(of: Self.markers.end, range: start.upperBound..<readme.endIndex))
        if Self.recording {
            readme.replaceSubrange(start.upperBound..<end.lowerBound, with: mermaid)
            try Data(readme.utf8).write(to: file)
            return
        }
        #expect(String(readme[start.upperBound..<end.lowerBound]) == mermaid, "re-record with CNNC_RECORD_GOLDENS=1")
    }
}
