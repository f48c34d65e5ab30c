import CNNGraph
import CNNSpec
import Foundation

/// Paths of the package and of the conformance corpus beside it.
enum Paths {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let specs = packageRoot.appendingPathComponent("specs")
    static let conformance: URL = {
        if let override = ProcessInfo.processInfo.environment["CNNC_CONFORMANCE"] {
            return URL(fileURLWithPath: override)
        }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/conformance")
    }()

    /// The `cnnc` executable built next to the test bundle.
    static let cnnc: URL = {
        var candidates: [URL] = []
        if let bundle = Bundle.main.executableURL { candidates.append(bundle.deletingLastPathComponent()) }
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        candidates.append(packageRoot.appendingPathComponent(".build/debug"))
        for directory in candidates {
            var url = directory
            for _ in 0..<4 {
                let candidate = url.appendingPathComponent("cnnc")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                url = url.deletingLastPathComponent()
            }
        }
        return packageRoot.appendingPathComponent(".build/debug/cnnc")
    }()

    /// The folder this test process's temporary directories live in, removed when the process
    /// exits, so a test run leaves nothing behind in the system's temporary folder.
    private static let scratch: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cnnc-tests-\(UUID().uuidString)")
        atexit { try? FileManager.default.removeItem(at: Paths.scratch) }
        return url
    }()

    /// A fresh temporary directory, removed with the others when the test process exits.
    static func temporaryDirectory() throws -> URL {
        let url = scratch.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// The result of running the `cnnc` executable.
struct Run {
    var status: Int32
    var stdout: String
    var stderr: String

    /// Runs `cnnc` with `arguments`; with `shell`, through `/bin/sh`, which runs that text first
    /// (`ulimit -f 4`, say) and then replaces itself with `cnnc`.
    init(_ arguments: [String], shell: String? = nil, timeout: TimeInterval = 60) throws {
        let process = Process()
        if let shell {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", shell + "\nexec \"$0\" \"$@\"", Paths.cnnc.path] + arguments
        } else {
            process.executableURL = Paths.cnnc
            process.arguments = arguments
        }
        process.currentDirectoryURL = Paths.packageRoot
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Drain both pipes while the process runs so that a large output cannot block it.
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            outData = out.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        if group.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            throw TimedOut(arguments: arguments)
        }
        process.waitUntilExit()
        status = process.terminationStatus
        stdout = String(decoding: outData, as: UTF8.self)
        stderr = String(decoding: errData, as: UTF8.self)
    }

    struct TimedOut: Error {
        var arguments: [String]
    }
}

/// Compiles a spec given as text.
func compile(_ text: String, path: String = "spec.yaml") -> Compilation {
    Compilation(SourceFile(path: path, text: text))
}

/// `# expect: code at line:column` comments of a spec file.
func expectations(in text: String) -> [String] {
    text.split(separator: "\n").compactMap { line in
        line.hasPrefix("# expect: ") ? String(line.dropFirst("# expect: ".count)) : nil
    }.sorted()
}
