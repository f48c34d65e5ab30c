import CNNFormats
import CNNGraph
import CNNSpec
import Foundation
import TestSupport
import Testing

/// `cnnc build` end to end: generated sources compiled with `swiftc -O` in Swift 6 mode (no
/// warning allowed) and run against Keras 3's outputs in ../shared/conformance. Several models
/// share one compiler invocation to keep CI short.
@Suite(.serialized) struct BuildCommandTests {
    /// A conformance model: its spec, generated type name and reference folder.
    struct Reference {
        var name: String
        var spec: String
        var type: String
        var refs: URL
    }

    static func references(_ names: [String]? = nil) throws -> [Reference] {
        try ConformanceTests.entries().filter { $0.status != "invalid" && (names?.contains($0.name) ?? true) }.map {
            entry in
            let spec = Paths.conformance.appendingPathComponent("specs/\(entry.spec)").path
            let graph = try #require(Compilation(path: spec).graph)
            return Reference(
                name: entry.name, spec: spec, type: graph.name,
                refs: Paths.conformance.appendingPathComponent("refs/\(entry.name)"))
        }
    }

    /// The models of Tests/KerasReferences.
    static func kerasReferences() throws -> [Reference] {
        try KerasReferenceTests.names().map { name in
            let spec = KerasReferenceTests.spec(name).path
            let graph = try #require(Compilation(path: spec).graph)
            return Reference(
                name: name, spec: spec, type: graph.name,
                refs: KerasReferenceTests.folder.appendingPathComponent("refs/\(name)"))
        }
    }

    /// Compiles `sources` with the recommended flags and Swift 6 mode; fails on any warning in
    /// the `generated` ones.
    static func compile(
        _ sources: [URL], generated: [URL], to product: URL, flags: [String] = ["-target-cpu", "native", "-DCNNC_FMA"]
    ) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // One frontend per core: the models' files compile independently, and this is the suite's longest step.
        let jobs = "-j\(ProcessInfo.processInfo.activeProcessorCount)"
        process.arguments =
            ["swiftc", jobs, "-O", "-swift-version", "6"] + flags + sources.map(\.path) + ["-o", product.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        // Generated files are held to no warnings; a driver is the test's own.
        let warnings = output.split(separator: "\n").filter { line in
            line.contains(": warning:") && generated.contains { line.hasPrefix($0.path + ":") }
        }
        #expect(warnings.isEmpty, "\(output)")
    }

    /// A driver that runs each model on `<name>.in` (raw float32) into `<name>.out`.
    static func driver(_ references: [Reference], embedded: Bool, folder: URL) -> String {
        let (open, close) = embedded ? ("", "") : ("do {\n", "} catch {\n    print(error)\n    exit(1)\n}\n")
        var text = """
            import Foundation

            func floats(_ path: String) -> [Float] {
                let data = FileManager.default.contents(atPath: path)!
                return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            }

            func save(_ values: [Float], _ path: String) {
                _ = FileManager.default.createFile(atPath: path, contents: values.withUnsafeBytes { Data($0) })
            }

            """ + open
        for reference in references {
            let load =
                embedded
                ? "\(reference.type)()"
                : "try \(reference.type)(weightsAt: \"\(reference.refs.path)/weights.safetensors\")"
            let file = folder.appendingPathComponent(reference.name).path
            text += "    save(\(load).predict(floats(\"\(file).in\")), \"\(file).out\")\n"
        }
        return text + close
    }

    static func run(_ references: [Reference], embedded: Bool) throws {
        let folder = try Paths.temporaryDirectory()
        let models = folder.appendingPathComponent("models")
        for reference in references {
            var arguments = ["build", reference.spec, "-o", models.path]
            if embedded {
                arguments += ["--embed-weights", reference.refs.appendingPathComponent("weights.safetensors").path]
            }
            let build = try Run(arguments)
            #expect(build.status == 0, "\(build.stderr)")
            let input = try NumPyArray.read(contentsOf: reference.refs.appendingPathComponent("input.npy").path)
            try input.scalars.withUnsafeBytes {
                try Data($0).write(to: folder.appendingPathComponent("\(reference.name).in"))
            }
        }
        let main = folder.appendingPathComponent("main.swift")
        try Data(driver(references, embedded: embedded, folder: folder).utf8).write(to: main)
        let sources = try FileManager.default.contentsOfDirectory(at: models, includingPropertiesForKeys: nil)
        try compile(sources + [main], generated: sources, to: folder.appendingPathComponent("driver"))

        let process = try Process.run(folder.appendingPathComponent("driver"), arguments: [])
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        for reference in references {
            let expected = try NumPyArray.read(contentsOf: reference.refs.appendingPathComponent("expected.npy").path)
            let data = try Data(contentsOf: folder.appendingPathComponent("\(reference.name).out"))
            let values = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            #expect(values.count == expected.scalars.count, "\(reference.name)")
            guard values.count == expected.scalars.count else { continue }
            #expect(tensorMismatch(Tensor(shape: expected.shape, scalars: values), expected) == nil)
        }
    }

    @Test func everyConformanceModelMatchesKerasWithAWeightsFile() throws {
        try Self.run(Self.references() + Self.kerasReferences(), embedded: false)
    }

    @Test func embeddedWeightsMatchKeras() throws {
        try Self.run(Self.references(["tiny_chain", "residual_identity", "depthwise_bn"]), embedded: true)
    }

    /// `--executable`: the program takes the options of `cnnc run` (`--threads` too) and prints the
    /// benchmark line last. Compiled with plain `-O` (baseline x86-64, no FMA), which must be correct too.
    @Test func executableRunsLikeCnncRun() throws {
        let reference = try #require(try Self.references(["concat_branches"]).first)
        let folder = try Paths.temporaryDirectory()
        let build = try Run(["build", reference.spec, "-o", folder.path, "--executable"])
        #expect(build.status == 0, "\(build.stderr)")
        let sources = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
        #expect(Set(sources.map(\.lastPathComponent)) == ["\(reference.type).swift", "main.swift"])
        let program = folder.appendingPathComponent("model")
        try Self.compile(sources, generated: sources, to: program, flags: [])

        let weights = reference.refs.appendingPathComponent("weights.safetensors").path
        let input = reference.refs.appendingPathComponent("input.npy").path
        let output = folder.appendingPathComponent("out.npy").path
        func run(_ arguments: [String]) throws -> (status: Int32, stdout: String) {
            let process = Process()
            process.executableURL = program
            process.arguments = arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, text)
        }
        #expect(try run(["--weights", weights, "--input", input, "--output", output]).status == 0)
        let expected = try NumPyArray.read(contentsOf: reference.refs.appendingPathComponent("expected.npy").path)
        #expect(tensorMismatch(try NumPyArray.read(contentsOf: output), expected) == nil)

        let bench = try run(["--weights", weights, "--input", input, "--bench", "3"])
        #expect(bench.status == 0)
        #expect(bench.stdout.split(separator: "\n").last?.hasPrefix("median_ns_per_batch: ") == true)
        #expect(bench.stdout.split(separator: "\n").contains("threads: 1"), "--bench runs on one thread by default")
        let threadedBench = try run(["--weights", weights, "--input", input, "--bench", "2", "--threads", "3"])
        #expect(threadedBench.stdout.split(separator: "\n").contains("threads: 3"))
        // Any number of threads, more than the samples too, writes the bits of one thread.
        let one = try NumPyArray.read(contentsOf: output).scalars.map(\.bitPattern)
        for threads in ["1", "2", "3", "8"] {
            let threaded = folder.appendingPathComponent("out\(threads).npy").path
            #expect(
                try run(["--weights", weights, "--input", input, "--output", threaded, "--threads", threads]).status
                    == 0)
            #expect(try NumPyArray.read(contentsOf: threaded).scalars.map(\.bitPattern) == one, "\(threads) threads")
        }
        #expect(try run(["--weights", weights, "--input", input, "--output", output, "--threads", "0"]).status == 64)
        #expect(try run(["--input", input, "--output", output]).status == 64)
        #expect(try run(["--weights", input, "--input", input, "--output", output]).status == 1)
    }

    /// The build plugin names the file before cnnc runs: --file-name sets it, the type stays the spec's.
    @Test func fileNameNamesTheModelsFile() throws {
        let folder = try Paths.temporaryDirectory()
        let spec = Paths.specs.appendingPathComponent("mnist.yaml").path
        let build = try Run(["build", spec, "-o", folder.path, "--file-name", "Digits.swift"])
        #expect(build.status == 0, "\(build.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["Digits.swift"])
        let source = try String(contentsOf: folder.appendingPathComponent("Digits.swift"), encoding: .utf8)
        #expect(source.contains("public struct MNISTClassifier: Sendable"))
        for bad in ["main.swift", "Digits", "a/b.swift", ""] {
            #expect(try Run(["build", spec, "-o", folder.path, "--file-name", bad]).status == 64, "\(bad)")
        }
    }

    @Test func buildRejectsMismatchedWeightsToEmbed() throws {
        let references = try Self.references(["tiny_chain", "residual_identity"])
        let folder = try Paths.temporaryDirectory()
        let wrong = references[1].refs.appendingPathComponent("weights.safetensors").path
        let build = try Run(["build", references[0].spec, "-o", folder.path, "--embed-weights", wrong])
        #expect(build.status == 1)
        #expect(build.stderr.hasPrefix("\(wrong): error: "))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    /// Large weights compiled in: the build says what they cost the compiler; small ones say nothing.
    @Test func embeddingLargeWeightsSaysWhatItCosts() throws {
        let folder = try Paths.temporaryDirectory()
        let spec = folder.appendingPathComponent("wide.yaml")
        try Data("name: Wide\ninput: {shape: [2048]}\nlayers:\n  - {type: dense, name: d, units: 2048}\n".utf8).write(
            to: spec)
        let weights = folder.appendingPathComponent("wide.safetensors").path
        try SafeTensors.write(
            ["d.kernel": Tensor(zeros: [2048, 2048]), "d.bias": Tensor(zeros: [2048])], to: weights)
        let build = try Run([
            "build", spec.path, "-o", folder.appendingPathComponent("out").path, "--embed-weights", weights,
        ])
        #expect(build.status == 0)
        #expect(
            build.stderr.hasPrefix(
                "note: Wide.swift holds 17 MB of weights; swiftc -O takes up to 1 s and 0.2 GB more to compile them "
                    + "(1 s and 0.2 GB with -Xfrontend -disable-incremental-llvm-codegen)"))
        #expect(build.stderr.contains("Wide(weightsAt: "))

        let small = try Self.references(["tiny_chain"])[0]
        let quiet = try Run([
            "build", small.spec, "-o", folder.appendingPathComponent("small").path, "--embed-weights",
            small.refs.appendingPathComponent("weights.safetensors").path,
        ])
        #expect(quiet.status == 0 && quiet.stderr.isEmpty)
    }
}
