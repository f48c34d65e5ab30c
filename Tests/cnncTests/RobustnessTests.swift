import CNNGraph
import CNNSpec
import Foundation
import Testing

/// No input crashes or hangs the compiler: each gets a diagnostic and exit status 1.
@Suite struct RobustnessTests {
    /// Writes `data` to a temporary spec file, runs `cnnc check` on it and returns the run.
    private func check(_ data: Data, name: String = "spec.yaml") throws -> Run {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent(name)
        try data.write(to: url)
        return try Run(["check", "--format", "json", url.path], timeout: 30)
    }

    private func codes(_ run: Run) throws -> [String] {
        let array = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        return array.compactMap { $0["code"] as? String }
    }

    @Test func emptyFile() throws {
        let run = try check(Data())
        #expect(run.status == 1)
        #expect(try codes(run) == ["empty-spec"])
    }

    @Test func binaryGarbage() throws {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let run = try check(Data(bytes))
        #expect(run.status == 1)
        #expect(try codes(run) == ["invalid-encoding"])
    }

    @Test func invalidUTF8IsPositioned() throws {
        let run = try check(Data("name: X\ninput: é\u{0}".utf8))
        #expect(try codes(run) == ["invalid-encoding"])
        #expect(run.stdout.contains("\"line\": 2"))
        #expect(run.stdout.contains("\"column\": 9"))
    }

    @Test func fiftyMegabyteFile() throws {
        let line = Data("  - {type: dense, units: 10, activation: relu}\n".utf8)
        var data = Data("input: {shape: [4]}\nlayers:\n".utf8)
        while data.count < 50 << 20 { data.append(line) }
        let run = try check(data)
        #expect(run.status == 1)
        #expect(try codes(run) == ["file-too-large"])
    }

    @Test func largeButAcceptedFileIsFast() throws {
        var text = "input: {shape: [4]}\nlayers:\n"
        for _ in 0..<20_000 { text += "  - {type: dense, units: 4, activation: tanh}\n" }
        let start = Date()
        let run = try check(Data(text.utf8))
        #expect(run.status == 0)
        #expect(Date().timeIntervalSince(start) < 20)
    }

    /// A `.json` spec is strict JSON: what YAML would forgive is a parse-error at its position.
    @Test func jsonTrailingCommaIsAParseError() throws {
        let run = try check(Data(#"{"input": {"shape": [4]}, "layers": [{"type": "flatten"},]}"#.utf8), name: "spec.json")
        #expect(run.status == 1)
        #expect(try codes(run) == ["parse-error"])
        #expect(run.stdout.contains("trailing comma before ']'"))
        #expect(run.stdout.contains("\"column\": 57"))
    }

    /// RFC 8259 lets a reader ignore a byte-order mark, and cnnc drops it when it reads a file.
    @Test func jsonWithAByteOrderMarkIsRead() throws {
        let spec = #"{"input": {"shape": [4]}, "layers": [{"type": "dense", "units": 2}]}"#
        let run = try check(Data([0xEF, 0xBB, 0xBF]) + Data(spec.utf8), name: "spec.JSON")
        #expect(run.status == 0, "\(run.stdout)")
    }

    @Test(arguments: ["[", "{a: ", "- "])
    func tenThousandDeepNesting(opener: String) throws {
        let text = "input: " + String(repeating: opener, count: 10_000) + "1\n"
        let run = try check(Data(text.utf8))
        #expect(run.status == 1)
        #expect(try codes(run) == ["parse-error"])
    }

    /// Ten anchors, each a list of ten aliases of the one before: `*j` stands for 10^10 values.
    static let aliasBomb: String = {
        var text = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        let letters = Array("abcdefghij")
        for index in 1..<letters.count {
            let previous = letters[index - 1]
            text += "\(letters[index]): &\(letters[index]) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
        }
        return text
    }()

    @Test func billionLaughsAsValues() throws {
        var text = Self.aliasBomb
        text += "input: {shape: *j}\nlayers: *j\n"
        let run = try check(Data(text.utf8))
        #expect(run.status == 1)
        #expect(try codes(run) == ["too-many-values"])
    }

    @Test func billionLaughsAsKeys() throws {
        var text = Self.aliasBomb
        text += "? *j\n: 1\n? *i\n: 2\n"
        let run = try check(Data(text.utf8))
        #expect(run.status == 1)
        #expect(try codes(run) == ["alias-key"])
    }

    @Test func aliasesAsValuesStillWork() throws {
        let text = "input: {shape: [8, 8, 1]}\nlayers:\n  - &conv {type: conv2d, filters: 2, kernel_size: 3}\n  - {type: flatten}\n"
        #expect(compile(text).diagnostics.isEmpty)
    }

    @Test func hugeNumbers() throws {
        let text = """
            input: {shape: [28, 28, 1]}
            layers:
              - {type: conv2d, filters: 1e9, kernel_size: 3}
              - {type: conv2d, filters: 99999999999999999999999, kernel_size: 3}
              - {type: conv2d, filters: .inf, kernel_size: 3}
              - {type: conv2d, filters: .nan, kernel_size: 3}
              - {type: dense, units: 9223372036854775807}
              - {type: conv2d, filters: 3, kernel_size: 9223372036854775807}
              - {type: zero_padding2d, padding: 9223372036854775807}
            """
        let compilation = compile(text)
        #expect(compilation.graph == nil)
        #expect(compilation.diagnostics.map(\.code.rawValue) == ["too-large", "integer-overflow", "not-finite", "not-finite"])
        let wide = compile("input: {shape: [100000, 100000, 3]}\nlayers: [{type: flatten}]\n")
        #expect(wide.diagnostics.map(\.code.rawValue) == ["too-large"])
        let dense = compile("input: {shape: [65536]}\nlayers: [{type: dense, units: 9223372036854775807}]\n")
        #expect(dense.diagnostics.map(\.code.rawValue) == ["too-large"])
        let padding = compile("input: {shape: [4, 4, 1]}\nlayers: [{type: zero_padding2d, padding: 9223372036854775807}]\n")
        #expect(padding.diagnostics.map(\.code.rawValue) == ["too-large"])
        let kernel = compile("input: {shape: [4, 4, 1]}\nlayers: [{type: conv2d, filters: 1, kernel_size: 9223372036854775807, dilation_rate: 3}]\n")
        #expect(kernel.diagnostics.map(\.code.rawValue) == ["kernel-too-large"])
    }

    /// `same` padding's ceil(in / stride) with a stride near 2^63 is one output, not an overflow
    /// (it trapped in every windowed layer).
    @Test(arguments: [
        "{type: conv2d, filters: 2, kernel_size: 3, padding: same, strides: 9223372036854775807}",
        "{type: separable_conv2d, filters: 2, kernel_size: 3, padding: same, strides: [9223372036854775807, 1]}",
        "{type: depthwise_conv2d, kernel_size: 3, padding: same, strides: 9223372036854775807}",
        "{type: max_pool2d, pool_size: 2, padding: same, strides: 9223372036854775807}",
    ])
    func hugeSameStride(layer: String) throws {
        let compilation = compile("input: {shape: [5, 3, 2]}\nlayers:\n  - \(layer)\n")
        #expect(compilation.diagnostics.isEmpty, "\(compilation.diagnostics.map(\.message))")
        #expect(compilation.graph?.nodes.first?.outputShape.dimensions.prefix(2) == [1, layer.contains(", 1]") ? 3 : 1])
    }

    /// A list entry that is not a mapping is reported at its line, and the layers after it are
    /// still checked with their positions intact (libFuzzer's first find: SIGILL in every subcommand).
    @Test(arguments: [
        "layers: [1, {type: flatten}]",
        "layers: [{type: flatten}, 1, [2], {type: dense, units: 3, inputs: [flatten]}, {type: dense, units: 0}]",
        "layers: [null, {type: flatten, inputs: [input]}, {type: add, inputs: [flatten, layer]}]",
    ])
    func nonMappingLayerEntries(layers: String) throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let spec = directory.appendingPathComponent("spec.yaml")
        try Data("input: {shape: [4, 4, 1]}\n\(layers)\n".utf8).write(to: spec)
        for arguments in [["check"], ["summary"], ["build", "-o", directory.appendingPathComponent("out").path]] {
            let run = try Run(arguments + [spec.path])
            #expect(run.status == 1, "\(arguments[0]): \(run.stderr)")
            #expect((run.stdout + run.stderr).contains("must be a mapping with 'type'"))
        }
        let codes = compile("input: {shape: [4, 4, 1]}\n\(layers)\n").diagnostics.map(\.code.rawValue)
        #expect(codes.first == "wrong-type")
        if layers.contains("units: 0") { #expect(codes.contains("non-positive")) }
    }

    @Test func missingAndUnreadablePaths() throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = try Run(["check", "--format", "json", directory.appendingPathComponent("nope.yaml").path])
        #expect(missing.status == 1)
        #expect(try codes(missing) == ["unreadable-file"])
        let empty = try Run(["check", directory.path])
        #expect(empty.status == 0, "a folder without specs has nothing to report")
    }

    @Test func oddButValidYAML() throws {
        let text = "%YAML 1.1\n---\ninput:\n  shape:\n  - 8\n  - 8\n  - 1\nlayers:\n- type: flatten\n- type: dense\n  units: !!int 3\n...\n"
        #expect(compile(text).diagnostics.isEmpty)
        let tabs = "{\n\t\"input\": {\"shape\": [4]},\n\t\"layers\": [{\"type\":\"dense\",\"units\":2}]\n}\n"
        #expect(compile(tabs, path: "t.json").diagnostics.isEmpty)
    }
}
