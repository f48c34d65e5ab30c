// Prints the kernel module's files (Sources/CNNKernels) as a Swift string constant, the text
// `cnnc build` puts into every generated model, committed as Sources/CNNEmitter/KernelSource.swift:
//
//     swift run KernelEmbedder Sources/CNNEmitter/KernelSource.swift Sources/CNNKernels/*.swift
//
// (A build plugin could run it, but a plugin's tool cannot use build plugins itself, and cnnc is
// the tool of the CNNCModels plugin.) KernelSourceTests fails while the file differs from what
// this prints.
//
// Each file's text after its imports (an `#if canImport` block of them included) is printed with
// every top-level declaration private (the generated file's own), and members declared `package`
// fileprivate. A top-level declaration that is public, open or internal by keyword fails the
// build: the module's rules allow `package`, `private` or no modifier.

import Foundation

/// A file of the kernel module that cannot be printed, with where and why.
struct EmbeddingError: Error, CustomStringConvertible {
    var description: String
}

let declarationKeywords: Set<Substring> = [
    "func", "struct", "enum", "class", "final", "protocol", "typealias", "let", "var", "extension",
]

/// The line with its access modifier rewritten, or the line as it is when it declares nothing.
func rewrite(_ line: Substring, topLevel: Bool, at place: String) throws -> String {
    let indentation = line.prefix { $0 == " " }
    var rest = line.dropFirst(indentation.count)
    // Attributes written before the declaration on the same line: `@inline(__always) func`.
    var attributes = ""
    while rest.first == "@" {
        var end = rest.firstIndex(of: " ") ?? rest.endIndex
        if let open = rest.firstIndex(of: "("), open < end, let close = rest.firstIndex(of: ")") {
            end = rest.index(after: close)
        }
        guard end < rest.endIndex else { return String(line) }
        attributes += rest[..<end] + " "
        rest = rest[end...].drop { $0 == " " }
    }
    let word = rest.prefix { $0.isLetter }
    let tail = rest.dropFirst(word.count)
    switch word {
    case "package":
        return indentation + attributes + (topLevel ? "private" : "fileprivate") + tail
    case "public", "open", "internal":
        guard !topLevel else {
            throw EmbeddingError(description: "\(place): error: a kernel is \(word); write package or nothing")
        }
        return String(line)
    case _ where topLevel && declarationKeywords.contains(word):
        return indentation + attributes + "private " + rest
    default:
        return String(line)
    }
}

/// Braces opened minus closed on `line`, outside comments and string literals.
func braceBalance(_ line: Substring) -> Int {
    var balance = 0
    var inString = false
    var previous: Character = " "
    for character in line {
        if inString {
            if character == "\"" && previous != "\\" { inString = false }
        } else if character == "/" && previous == "/" {
            break
        } else if character == "\"" {
            inString = true
        } else if character == "{" {
            balance += 1
        } else if character == "}" {
            balance -= 1
        }
        previous = character
    }
    return balance
}

/// The printable text of one kernel file.
func embed(_ text: String, file: String) throws -> [String] {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    // An import may sit in an `#if canImport(…)` block (indented, as swift-format indents it); the
    // block's `#endif` belongs to the imports too. The generated file writes its own imports.
    guard var lastImport = lines.lastIndex(where: { $0.drop { $0 == " " }.hasPrefix("import ") }) else {
        throw EmbeddingError(description: "\(file): error: no import line; the text before it is not printed")
    }
    while lastImport + 1 < lines.count, lines[lastImport + 1].hasPrefix("#endif") { lastImport += 1 }
    var body = lines[(lastImport + 1)...].drop { $0.isEmpty }
    while body.last?.isEmpty == true { body = body.dropLast() }
    var depth = 0
    var output: [String] = []
    for (offset, line) in body.enumerated() {
        output.append(try rewrite(line, topLevel: depth == 0, at: "\(file):\(lastImport + 2 + offset)"))
        depth += braceBalance(line)
    }
    return output
}

/// `"""` delimiters with enough `#`s that the text cannot end or interpolate into the literal.
func delimiter(for text: String) -> String {
    var hashes = "#"
    while text.contains("\"\"\"" + hashes) || text.contains("\\" + hashes) { hashes += "#" }
    return hashes
}

do {
    let arguments = CommandLine.arguments.dropFirst()
    guard let output = arguments.first, arguments.count > 1 else {
        throw EmbeddingError(description: "usage: KernelEmbedder OUTPUT.swift KERNEL_FILE.swift...")
    }
    var sections: [String] = []
    for path in arguments.dropFirst().sorted() {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        sections.append(try embed(text, file: path).joined(separator: "\n"))
    }
    let text = sections.joined(separator: "\n\n")
    let hashes = delimiter(for: text)
    let source = """
        // Generated by KernelEmbedder from Sources/CNNKernels. DO NOT EDIT: after changing a kernel, run
        //     swift run KernelEmbedder Sources/CNNEmitter/KernelSource.swift Sources/CNNKernels/*.swift
        // (KernelSourceTests fails until this file matches the kernels).

        /// The kernels every generated model carries: Sources/CNNKernels's text, top-level declarations private.
        enum KernelSource {
            static let text = \(hashes)\"\"\"
        \(text)
        \"\"\"\(hashes)
        }

        """
    try source.write(toFile: output, atomically: true, encoding: .utf8)
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(1)
}
