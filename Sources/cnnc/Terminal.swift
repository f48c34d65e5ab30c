import Foundation

/// Standard output and error, written as whole strings.
enum Terminal {
    enum Stream {
        case standardOutput, standardError

        var descriptor: Int32 { self == .standardOutput ? STDOUT_FILENO : STDERR_FILENO }
    }

    static func write(_ text: String, to stream: Stream) {
        guard !text.isEmpty else { return }
        let handle = stream == .standardOutput ? FileHandle.standardOutput : FileHandle.standardError
        handle.write(Data(text.utf8))
    }

    /// Colors when asked, or in `auto` when the stream is a terminal and NO_COLOR is unset.
    static func useColor(_ choice: ColorChoice, stream: Stream) -> Bool {
        switch choice {
        case .always: true
        case .never: false
        case .auto: isatty(stream.descriptor) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        }
    }
}
