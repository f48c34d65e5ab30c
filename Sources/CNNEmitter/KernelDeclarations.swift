/// The kernels' text cut into its top-level declarations, so that a model carries only the ones its
/// code reaches: swiftc type-checks, and for a protocol conformance optimizes, every declaration
/// in a file, called or not (MNIST's file compiled 0.4 s faster without the depthwise, upsampling,
/// transposed and separable convolutions and the activations it does not use).
///
/// A declaration is its doc comment, its attributes and its code; a top-level `#if` block is one
/// declaration, and a blank line or a comment between declarations (`// MARK:`) a piece of its own,
/// always kept. The kernels are swift-format's output, so a declaration starts in the first column,
/// and every other line of it is indented or closes a bracket.
struct KernelDeclarations {
    struct Piece {
        var lines: ArraySlice<Substring>
        /// The names the piece declares: none for a comment or a blank line.
        var names: [Substring] = []
        /// The type an `extension` piece extends.
        var extends: Substring?
        /// The identifiers its code mentions, comments left out.
        var mentions: Set<Substring> = []
        var hasCode = false
    }

    private(set) var pieces: [Piece] = []

    init(_ text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var piece = Piece(lines: lines[0..<0])
        var code = ""
        var (depth, conditions) = (0, 0)
        // A line that declares a name, after its attributes and modifiers; one that extends a type.
        let declaration =
            /^\s*(?:@[\w.]+(?:\([^)]*\))?\s+)*(?:(?:private|fileprivate|package|public|internal|final|static|nonisolated)\s+)*(?:func|struct|enum|class|protocol|typealias|let|var)\s+(?<name>\w+)/
        let extensionDeclaration = /^\s*(?:(?:private|fileprivate|package|public|internal)\s+)?extension\s+(?<name>\w+)/
        for (index, line) in lines.enumerated() {
            let topLevel = depth == 0 && conditions == 0
            let closes = line.first.map { ")]}".contains($0) } ?? false
            let continues = line.hasPrefix("#else") || line.hasPrefix("#elseif") || line.hasPrefix("#endif")
            let starts = line.first.map { !$0.isWhitespace } == true && !closes && !continues
            if topLevel && (line.isEmpty || (starts && piece.hasCode) || piece.lines.last?.isEmpty == true) {
                if !piece.lines.isEmpty {
                    piece.mentions = Self.identifiers(in: code)
                    pieces.append(piece)
                }
                (piece, code) = (Piece(lines: lines[index..<index]), "")
            }
            piece.lines = lines[piece.lines.startIndex...index]
            let lineCode = Self.code(line)
            code += lineCode + "\n"
            if line.hasPrefix("#if") { conditions += 1 }
            if line.hasPrefix("#endif") { conditions -= 1 }
            if depth == 0, let match = lineCode.firstMatch(of: declaration) {
                piece.names.append(match.name)
            } else if depth == 0, let match = lineCode.firstMatch(of: extensionDeclaration) {
                piece.extends = match.name
            }
            let trimmed = lineCode.drop { $0.isWhitespace }
            if !trimmed.isEmpty && !trimmed.hasPrefix("@") && !trimmed.hasPrefix("#") { piece.hasCode = true }
            depth += lineCode.reduce(0) { $0 + ("([{".contains($1) ? 1 : ")]}".contains($1) ? -1 : 0) }
        }
        if !piece.lines.isEmpty {
            piece.mentions = Self.identifiers(in: code)
            pieces.append(piece)
        }
    }

    /// The declarations the code `roots` reaches, directly or through other declarations, with the
    /// comments between declarations, as text: the whole text when it reaches everything.
    func reachable(from roots: String) -> String {
        var declaring: [Substring: [Int]] = [:]
        for (index, piece) in pieces.enumerated() {
            for name in piece.names { declaring[name, default: []].append(index) }
        }
        var kept = Set<Int>()
        for (index, piece) in pieces.enumerated() {
            // An extension of a type the kernels do not declare (a standard library one) stays.
            if let type = piece.extends, declaring[type] != nil {
                declaring[type]!.append(index)
            } else if piece.names.isEmpty {
                kept.insert(index)
            }
        }
        var named = Set<Substring>()
        var queue = Array(Self.identifiers(in: Self.code(roots)).filter { declaring[$0] != nil })
        while let name = queue.popLast() {
            guard named.insert(name).inserted else { continue }
            for index in declaring[name]! where kept.insert(index).inserted {
                queue += pieces[index].mentions.filter { declaring[$0] != nil && !named.contains($0) }
            }
        }
        var lines: [Substring] = []
        for (index, piece) in pieces.enumerated() where kept.contains(index) {
            // A blank line only where the last kept piece did not end with one.
            if piece.lines.allSatisfy(\.isEmpty) && lines.last?.isEmpty == true { continue }
            lines += piece.lines
        }
        return lines.joined(separator: "\n")
    }

    /// `text` without its comments, string literals blanked.
    static func code(_ text: some StringProtocol) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var (inString, escaped, previous) = (false, false, Character(" "))
        var skipping = false
        for character in text {
            if character == "\n" {
                (skipping, inString) = (false, false)
                result.append(character)
            } else if skipping {
                continue
            } else if inString {
                if !escaped && character == "\"" { inString = false }
                escaped = !escaped && character == "\\"
                result.append(" ")
            } else if character == "/" && previous == "/" {
                result.removeLast()
                skipping = true
            } else {
                if character == "\"" { inString = true }
                result.append(character)
            }
            previous = skipping ? " " : character
        }
        return result
    }

    /// The identifiers in `code` that may name a top-level declaration: not a member (`.tanh`,
    /// `Foundation.exp`; `0...count` still names `count`), and not an enum's cases as it declares
    /// them (`case linear, relu, tanh`), so that `Activation` does not keep every activation's code.
    static func identifiers(in code: String) -> Set<Substring> {
        var names = Set<Substring>()
        var caseList = false
        for line in code.split(separator: "\n", omittingEmptySubsequences: false) {
            let listed = line.wholeMatch(of: /\s*(case\s+)?[A-Za-z_][\w\s,]*/) != nil
            if line.wholeMatch(of: /\s*case\s+[A-Za-z_][\w\s,]*/) != nil || (caseList && listed) {
                caseList = line.last { !$0.isWhitespace } == ","
                continue
            }
            caseList = false
            for match in line.matches(of: /[A-Za-z_][A-Za-z0-9_]*/) {
                let before = line[..<match.range.lowerBound]
                if before.hasSuffix(".") && !before.hasSuffix("..") { continue }
                names.insert(line[match.range])
            }
        }
        return names
    }
}
