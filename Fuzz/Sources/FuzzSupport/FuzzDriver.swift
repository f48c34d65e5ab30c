import CLibFuzzer
import Glibc

/// The body of the running fuzz target; libFuzzer's callback is a C function and cannot capture it.
nonisolated(unsafe) private var currentBody: ((UnsafeRawBufferPointer) -> Void)?

/// Hands the process to libFuzzer, which calls `body` once per input with the input's bytes.
/// libFuzzer reads its own flags (`-max_total_time=`, corpus folders, …) from the command line.
///
/// SwiftPM links each executable's own `main`, so the targets cannot use libFuzzer's; its
/// `LLVMFuzzerRunDriver` is the documented entry point for programs in that position.
public func runFuzzer(_ body: @escaping (UnsafeRawBufferPointer) -> Void) -> Never {
    currentBody = body
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        currentBody?(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }
    exit(status)
}
