import CNNFormats
import Foundation
import TestSupport
import Testing

/// `cnnc run` as users call it: files in, a .npy out, exit status 0, 1 or 64.
@Suite struct RunCommandTests {
    let refs = Paths.conformance.appendingPathComponent("refs/tiny_chain")
    let spec = Paths.conformance.appendingPathComponent("specs/tiny_chain.yaml").path
    var weights: String { refs.appendingPathComponent("weights.safetensors").path }
    var input: String { refs.appendingPathComponent("input.npy").path }

    @Test func writesTheOutputBatch() throws {
        let folder = try Paths.temporaryDirectory()
        let output = folder.appendingPathComponent("out.npy").path
        let run = try Run(["run", spec, "--weights", weights, "--input", input, "--output", output])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.isEmpty)
        let expected = try NumPyArray.read(contentsOf: refs.appendingPathComponent("expected.npy").path)
        #expect(tensorMismatch(try NumPyArray.read(contentsOf: output), expected) == nil)
    }

    @Test func oneSampleWithoutBatchAxisIsABatchOfOne() throws {
        let folder = try Paths.temporaryDirectory()
        let batch = try NumPyArray.read(contentsOf: input)
        let sample = Tensor(
            shape: Array(batch.shape.dropFirst()), scalars: Array(batch.scalars.prefix(batch.scalars.count / 3)))
        try NumPyArray.write(sample, to: folder.appendingPathComponent("one.npy").path)
        let output = folder.appendingPathComponent("out.npy").path
        let run = try Run([
            "run", spec, "--weights", weights, "--input", folder.appendingPathComponent("one.npy").path, "--output",
            output,
        ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try NumPyArray.read(contentsOf: output).shape == [1, 5])
    }

    @Test func benchPrintsTheMedianLast() throws {
        let run = try Run(["run", spec, "--weights", weights, "--input", input, "--bench", "5"])
        #expect(run.status == 0, "\(run.stderr)")
        let last = try #require(run.stdout.split(separator: "\n").last)
        #expect(last.hasPrefix("median_ns_per_batch: "))
        #expect(Int(last.dropFirst("median_ns_per_batch: ".count)).map { $0 > 0 } == true)
    }

    /// `--profile` prints a row per layer that runs, in order, then the total, before the bench lines.
    @Test func profileTimesEachLayer() throws {
        let run = try Run(["run", spec, "--weights", weights, "--input", input, "--bench", "3", "--profile"])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(
            lines.first?.split(separator: " ", omittingEmptySubsequences: true).map(String.init) == [
                "layer", "type", "output", "shape", "time", "share", "GFLOP/s",
            ])
        // flatten is a view of max_pool2d's output: no step of its own.
        let names = lines.dropFirst().prefix { !$0.hasPrefix("---") }.map { String($0.prefix { $0 != " " }) }
        #expect(names == ["conv2d", "max_pool2d", "dense"])
        #expect(lines.contains { $0.hasPrefix("total ") && $0.contains("100.0%") })
        #expect(lines.last?.hasPrefix("median_ns_per_batch: ") == true)
        #expect(
            try Run(["run", spec, "--weights", weights, "--input", input, "--output", "/dev/null", "--profile"])
                .status == 64)
    }

    @Test func usageErrorsExit64() throws {
        #expect(try Run(["run", spec, "--weights", weights, "--input", input]).status == 64)
        #expect(try Run(["run", spec, "--weights", weights, "--input", input, "--bench", "0"]).status == 64)
        #expect(try Run(["run", spec, "--input", input, "--output", "x.npy"]).status == 64)
        for threads in ["0", "-2", "many"] {
            let run = try Run([
                "run", spec, "--weights", weights, "--input", input, "--bench", "1", "--threads", threads,
            ])
            #expect(run.status == 64, "--threads \(threads)")
        }
    }

    /// `--threads N` gives the bits of one thread, for more threads than samples too.
    @Test func anyNumberOfThreadsWritesTheSameOutput() throws {
        let folder = try Paths.temporaryDirectory()
        var outputs: [[UInt32]] = []
        for threads in ["1", "2", "3", "8"] {
            let output = folder.appendingPathComponent("out\(threads).npy").path
            let run = try Run([
                "run", spec, "--weights", weights, "--input", input, "--output", output, "--threads", threads,
            ])
            #expect(run.status == 0, "\(run.stderr)")
            outputs.append(try NumPyArray.read(contentsOf: output).scalars.map(\.bitPattern))
        }
        #expect(outputs.allSatisfy { $0 == outputs[0] })
    }

    /// `--bench` times one thread unless `--threads` says otherwise, and says which.
    @Test func benchRunsOnOneThreadUnlessTold() throws {
        let single = try Run(["run", spec, "--weights", weights, "--input", input, "--bench", "2"])
        #expect(single.stdout.split(separator: "\n").contains("threads: 1"))
        let two = try Run(["run", spec, "--weights", weights, "--input", input, "--bench", "2", "--threads", "2"])
        #expect(two.stdout.split(separator: "\n").contains("threads: 2"))
        #expect(two.stdout.split(separator: "\n").last?.hasPrefix("median_ns_per_batch: ") == true)
    }

    @Test func everyMismatchedWeightIsNamedInOneError() throws {
        let folder = try Paths.temporaryDirectory()
        var tensors = try SafeTensors.read(contentsOf: weights)
        let removed = try #require(tensors.keys.sorted().first)
        let removedShape = tensors.removeValue(forKey: removed)!.shapeDescription
        let reshaped = try #require(tensors.keys.sorted().last)
        tensors[reshaped] = Tensor(zeros: [7])
        tensors["ghost.kernel"] = Tensor(zeros: [2, 2])
        let path = folder.appendingPathComponent("bad.safetensors").path
        try SafeTensors.write(tensors, to: path)

        let run = try Run([
            "run", spec, "--weights", path, "--input", input, "--output", folder.appendingPathComponent("o.npy").path,
        ])
        #expect(run.status == 1)
        #expect(run.stderr.components(separatedBy: ": error: ").count == 2, "\(run.stderr)")
        #expect(run.stderr.hasPrefix("\(path): error: 3 tensors do not match"))
        #expect(run.stderr.contains("missing '\(removed)'") && run.stderr.contains(removedShape))
        #expect(run.stderr.contains("'\(reshaped)' has shape [7]"))
        #expect(run.stderr.contains("unexpected 'ghost.kernel' [2, 2]"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("o.npy").path))
    }

    /// A tensor saved under another name (Keras's `batch_normalization` for `batch_norm`, say) is
    /// paired with the missing one of its shape, in one note.
    @Test func aRenamedTensorIsPairedWithTheMissingOne() throws {
        let folder = try Paths.temporaryDirectory()
        var tensors = try SafeTensors.read(contentsOf: weights)
        let key = try #require(tensors.keys.sorted().first)
        let parameter = key.split(separator: ".").last!
        tensors["elsewhere.\(parameter)"] = tensors.removeValue(forKey: key)
        let path = folder.appendingPathComponent("renamed.safetensors").path
        try SafeTensors.write(tensors, to: path)
        let run = try Run([
            "run", spec, "--weights", path, "--input", input, "--output", folder.appendingPathComponent("o.npy").path,
        ])
        #expect(run.status == 1)
        #expect(run.stderr.hasPrefix("\(path): error: a tensor does not match"), "\(run.stderr)")
        #expect(
            run.stderr.contains(
                "did you mean 'elsewhere.\(parameter)', which the file has in that shape? Rename it to '\(key)'"))
        #expect(!run.stderr.contains("unexpected"))
    }

    /// `init-weights` writes every tensor the spec declares, Keras's default initializers, the same
    /// bytes for the same seed; `run` takes the file.
    @Test func initWeightsMakesARunnableDeterministicFile() throws {
        let folder = try Paths.temporaryDirectory()
        let (first, second, other) = (
            folder.appendingPathComponent("a.safetensors").path,
            folder.appendingPathComponent("b.safetensors").path, folder.appendingPathComponent("c.safetensors").path
        )
        let mnist = Paths.specs.appendingPathComponent("mnist.yaml").path
        #expect(try Run(["init-weights", mnist, "-o", first, "--seed", "7"]).status == 0)
        #expect(try Run(["init-weights", mnist, "-o", second, "--seed", "7"]).status == 0)
        #expect(try Run(["init-weights", mnist, "-o", other, "--seed", "8"]).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: first)) == Data(contentsOf: URL(fileURLWithPath: second)))
        #expect(try Data(contentsOf: URL(fileURLWithPath: first)) != Data(contentsOf: URL(fileURLWithPath: other)))
        let tensors = try SafeTensors.read(contentsOf: first)
        let kernel = try #require(tensors["conv2d.kernel"])
        let limit = Float((6.0 / Double(9 + 9 * 32)).squareRoot())
        #expect(kernel.scalars.allSatisfy { abs($0) <= limit } && kernel.scalars.contains { abs($0) > limit / 2 })
        #expect(tensors["conv2d.bias"]!.scalars.allSatisfy { $0 == 0 })
        let input = folder.appendingPathComponent("x.npy").path
        try NumPyArray.write(Tensor(shape: [2, 28, 28, 1], scalars: randomScalars(2 * 784, seed: 3)), to: input)
        let run = try Run([
            "run", mnist, "--weights", first, "--input", input, "--output", folder.appendingPathComponent("y.npy").path,
        ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            try Run([
                "init-weights", Paths.specs.appendingPathComponent("invalid/kernel_too_large.yaml").path, "-o", other,
            ]).status == 1)
    }

    @Test func inputOfTheWrongShapeNamesFileAndShapes() throws {
        let folder = try Paths.temporaryDirectory()
        let path = folder.appendingPathComponent("wrong.npy").path
        try NumPyArray.write(Tensor(zeros: [2, 12, 12, 3]), to: path)
        let run = try Run([
            "run", spec, "--weights", weights, "--input", path, "--output", folder.appendingPathComponent("o.npy").path,
        ])
        #expect(run.status == 1)
        #expect(run.stderr.contains("\(path): error: the input has shape [2, 12, 12, 3]"), "\(run.stderr)")
        #expect(run.stderr.contains("[N, 12, 12, 1]"))
    }

    /// Damaged files end in an error naming the file, never in a crash.
    @Test(arguments: ["truncated weights", "lying header", "truncated input", "missing input", "directory"])
    func damagedFilesAreErrors(_ damage: String) throws {
        let folder = try Paths.temporaryDirectory()
        var weights = self.weights
        var input = self.input
        let bytes = try Data(contentsOf: URL(fileURLWithPath: weights))
        switch damage {
        case "truncated weights":
            weights = folder.appendingPathComponent("w.safetensors").path
            try bytes.prefix(bytes.count - 5).write(to: URL(fileURLWithPath: weights))
        case "lying header":
            weights = folder.appendingPathComponent("w.safetensors").path
            var lying = bytes
            lying.replaceSubrange(0..<8, with: [0, 0, 0, 0, 0, 0, 0, 0x80])  // 2^63
            try lying.write(to: URL(fileURLWithPath: weights))
        case "truncated input":
            input = folder.appendingPathComponent("x.npy").path
            let npy = try Data(contentsOf: URL(fileURLWithPath: self.input))
            try npy.prefix(npy.count - 1).write(to: URL(fileURLWithPath: input))
        case "missing input":
            input = folder.appendingPathComponent("absent.npy").path
        default:
            input = folder.path
        }
        let run = try Run([
            "run", spec, "--weights", weights, "--input", input, "--output",
            folder.appendingPathComponent("o.npy").path,
        ])
        #expect(run.status == 1)
        let culprit = damage.hasSuffix("weights") || damage == "lying header" ? weights : input
        #expect(run.stderr.hasPrefix("\(culprit): error: "), "\(run.stderr)")
    }

    @Test func specErrorsAreReportedBeforeAnyFileIsRead() throws {
        let run = try Run([
            "run", Paths.specs.appendingPathComponent("invalid/dense_on_feature_map.yaml").path,
            "--weights", "absent.safetensors", "--input", "absent.npy", "--output", "o.npy",
        ])
        #expect(run.status == 1)
        #expect(run.stderr.contains("error: ") && !run.stderr.contains("absent"))
    }
}
