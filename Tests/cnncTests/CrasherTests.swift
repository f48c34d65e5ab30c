import Foundation
import Testing

/// Inputs the fuzzer (`Fuzz/`, target FuzzSpec) crashed cnnc with, kept as regression tests: each
/// goes through the real executable's subcommands and gets a diagnostic and exit status 1, never a
/// signal. A new crasher is added by copying it into `Crashers/` under a name that says what it is.
@Suite struct CrasherTests {
    static let folder = Paths.packageRoot.appendingPathComponent("Tests/cnncTests/Crashers")

    /// The crashing inputs' file names.
    static let crashers: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted()
    }()

    @Test func thereAreCrashers() {
        #expect(!Self.crashers.isEmpty, "no inputs in \(Self.folder.path)")
    }

    @Test(arguments: crashers)
    func crasherGetsADiagnostic(name: String) throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let spec = Self.folder.appendingPathComponent(name).path
        let subcommands = [
            ["check", spec],
            ["summary", spec],
            ["summary", "--format", "json", spec],
            // The spec is checked before the files are opened, so these need not exist.
            ["run", spec, "--weights", directory.appendingPathComponent("w.safetensors").path,
             "--input", directory.appendingPathComponent("x.npy").path,
             "--output", directory.appendingPathComponent("y.npy").path],
            ["build", spec, "-o", directory.appendingPathComponent("out").path],
            ["export", spec, "--weights", directory.appendingPathComponent("w.safetensors").path,
             "-o", directory.appendingPathComponent("model.onnx").path],
        ]
        for arguments in subcommands {
            let run = try Run(arguments, timeout: 30)
            #expect(run.status == 1, "\(arguments[0]) exited with \(run.status): \(run.stderr)")
            #expect((run.stdout + run.stderr).contains("error:"), "\(arguments[0]) printed no diagnostic")
        }
    }
}
