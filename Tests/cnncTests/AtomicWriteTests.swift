import CNNFormats
import Foundation
import Testing

/// Every file cnnc writes appears whole or not at all, and a failed command leaves what was there.
@Suite struct AtomicWriteTests {
    let refs = Paths.conformance.appendingPathComponent("refs/tiny_chain")
    let spec = Paths.conformance.appendingPathComponent("specs/tiny_chain.yaml").path
    var weights: String { refs.appendingPathComponent("weights.safetensors").path }

    /// A batch of `count` samples made from the corpus input, scaled so that batches differ.
    private func batch(_ count: Int, scale: Float, in folder: URL, name: String) throws -> String {
        let sample = try NumPyArray.read(contentsOf: refs.appendingPathComponent("input.npy").path)
        let size = sample.scalars.count / sample.shape[0]
        let scalars = (0..<count).flatMap { index in sample.scalars[(index % sample.shape[0]) * size..<(index % sample.shape[0] + 1) * size].map { $0 * scale } }
        let path = folder.appendingPathComponent(name).path
        try NumPyArray.write(Tensor(shape: [count] + Array(sample.shape.dropFirst()), scalars: scalars), to: path)
        return path
    }

    /// Files in `folder` other than those named: a temporary file left behind would show here.
    private func strayFiles(in folder: URL, besides names: Set<String>) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !names.contains($0) }
    }

    @Test(arguments: ["", "trap '' XFSZ\n"])
    func runOverTheFileSizeLimitKeepsTheOldOutput(ignoringSignal: String) throws {
        let folder = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let small = try batch(3, scale: 1, in: folder, name: "small.npy")
        let large = try batch(400, scale: 1, in: folder, name: "large.npy")
        let output = folder.appendingPathComponent("out.npy").path
        #expect(try Run(["run", spec, "--weights", weights, "--input", small, "--output", output]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: output))

        // Four 512-byte blocks: the 400-sample output does not fit, the inputs are only read.
        let run = try Run(["run", spec, "--weights", weights, "--input", large, "--output", output], shell: ignoringSignal + "ulimit -f 4")
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("\(output): error: cannot write it: file too large"), "\(run.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == before)
        #expect(try strayFiles(in: folder, besides: ["small.npy", "large.npy", "out.npy"]).isEmpty)
    }

    @Test func concurrentWritersLeaveOneWholeFile() throws {
        let folder = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let inputs = [try batch(300, scale: 1, in: folder, name: "a.npy"), try batch(300, scale: -2, in: folder, name: "b.npy")]
        var expected: [Data] = []
        for (index, input) in inputs.enumerated() {
            let path = folder.appendingPathComponent("expected\(index).npy").path
            #expect(try Run(["run", spec, "--weights", weights, "--input", input, "--output", path]).status == 0)
            expected.append(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        #expect(expected[0] != expected[1])
        let output = folder.appendingPathComponent("out.npy").path
        try expected[0].write(to: URL(fileURLWithPath: output))
        for _ in 0..<12 {
            let writers = inputs.map { input in
                let process = Process()
                process.executableURL = Paths.cnnc
                process.arguments = ["run", spec, "--weights", weights, "--input", input, "--output", output]
                return process
            }
            for writer in writers { try writer.run() }
            // While both write, every read sees one writer's whole file, never an empty or mixed one.
            while writers.contains(where: \.isRunning) {
                #expect(expected.contains(try Data(contentsOf: URL(fileURLWithPath: output))))
            }
            for writer in writers {
                writer.waitUntilExit()
                #expect(writer.terminationStatus == 0)
            }
            #expect(expected.contains(try Data(contentsOf: URL(fileURLWithPath: output))))
        }
        #expect(try strayFiles(in: folder, besides: ["a.npy", "b.npy", "expected0.npy", "expected1.npy", "out.npy"]).isEmpty)
    }

    @Test func buildThatCannotWriteMainLeavesTheFolderAsItWas() throws {
        let folder = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let mnist = Paths.specs.appendingPathComponent("mnist.yaml").path
        let model = folder.appendingPathComponent("MNISTClassifier.swift")
        try Data("// the user's earlier build\n".utf8).write(to: model)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("main.swift"), withIntermediateDirectories: false)

        let run = try Run(["build", mnist, "-o", folder.path, "--executable"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("main.swift: error: cannot write it: it is a directory"), "\(run.stderr)")
        #expect(try String(contentsOf: model, encoding: .utf8) == "// the user's earlier build\n")
        #expect(try strayFiles(in: folder, besides: ["MNISTClassifier.swift", "main.swift"]).isEmpty)
    }

    @Test func buildOverTheFileSizeLimitCreatesNothing() throws {
        let folder = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let mnist = Paths.specs.appendingPathComponent("mnist.yaml").path
        let target = folder.appendingPathComponent("new/Generated").path

        let run = try Run(["build", mnist, "-o", target, "--executable"], shell: "ulimit -f 4")
        #expect(run.status == 1)
        #expect(run.stderr.contains("MNISTClassifier.swift: error: cannot write it: file too large"), "\(run.stderr)")
        #expect(try strayFiles(in: folder, besides: []).isEmpty)
    }

    @Test func buildIntoAPathUnderAFileNamesTheProblem() throws {
        let folder = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("x".utf8).write(to: folder.appendingPathComponent("file"))
        let run = try Run(["build", Paths.specs.appendingPathComponent("mnist.yaml").path, "-o", folder.appendingPathComponent("file/out").path])
        #expect(run.status == 1)
        #expect(run.stderr.contains("cannot create the directory"), "\(run.stderr)")
        #expect(run.stderr.contains("is a file"), "\(run.stderr)")
    }
}
