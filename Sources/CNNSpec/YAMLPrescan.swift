import Yams

/// A lexical pass over YAML text that finds what Yams must not be handed, and what its errors do not
/// say. It knows quotes, comments, flow indicators and block scalars, which is all it needs.
struct YAMLLexer {
    struct Token {
        var text: Substring
        var line: Int
        var column: Int
        /// The first non-blank character after the token on the same line, if any.
        var next: Character?
    }

    /// Calls `body` with each token that starts a scalar, alias or indicator, outside comments,
    /// quotes and block scalar bodies.
    static func forEachToken(in text: String, _ body: (Token) -> Bool) {
        var blockScalarIndent: Int?
        var line = 0
        var inQuote: Character?
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            line += 1
            let characters = Array(rawLine)
            let indent = characters.prefix { $0 == " " }.count
            if let threshold = blockScalarIndent {
                let blank = characters.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\r" }
                if blank || indent > threshold { continue }
                blockScalarIndent = nil
            }
            var index = 0
            var lastToken: Substring?
            while index < characters.count {
                let character = characters[index]
                if let quote = inQuote {
                    if character == "\\" && quote == "\"" {
                        index += 2
                        continue
                    }
                    if character == quote {
                        if quote == "'" && index + 1 < characters.count && characters[index + 1] == "'" {
                            index += 2
                            continue
                        }
                        inQuote = nil
                    }
                    index += 1
                    continue
                }
                let atTokenStart = index == 0 || " \t[{,".contains(characters[index - 1])
                if character == " " || character == "\t" || character == "\r" {
                    index += 1
                    continue
                }
                if character == "#" && atTokenStart { break }
                var end = index + 1
                if (character == "\"" || character == "'") && atTokenStart {
                    while end < characters.count && characters[end] != character {
                        end += characters[end] == "\\" && character == "\"" ? 2 : 1
                    }
                    if end >= characters.count {
                        inQuote = character
                        break
                    }
                    end += 1
                    if end < characters.count && characters[end] == ":" { end += 1 }
                } else if atTokenStart && !"[]{},".contains(character) {
                    while end < characters.count && !" \t\r,[]{}".contains(characters[end]) { end += 1 }
                }
                var after = end
                while after < characters.count && (characters[after] == " " || characters[after] == "\t") { after += 1 }
                let start = rawLine.index(rawLine.startIndex, offsetBy: index)
                let stop = rawLine.index(rawLine.startIndex, offsetBy: end)
                let token = Token(text: rawLine[start..<stop], line: line, column: index + 1, next: after < characters.count ? characters[after] : nil)
                if !body(token) { return }
                lastToken = token.text
                index = end
            }
            if inQuote == nil, let last = lastToken, let first = last.first, first == "|" || first == ">",
                last.dropFirst().allSatisfy({ "+-0123456789".contains($0) })
            {
                blockScalarIndent = indent
            }
        }
    }
}

/// Finds an alias used as a mapping key (`*a: …`, or `? *a`).
enum AliasKeyScanner {
    static func firstAliasKey(in text: String) -> (line: Int, column: Int)? {
        guard text.contains("*") else { return nil }
        var found: (line: Int, column: Int)?
        var explicitKeyPending = false
        YAMLLexer.forEachToken(in: text) { token in
            if token.text.first == "*" && token.text.count > 1 {
                if explicitKeyPending || token.next == ":" {
                    found = (token.line, token.column)
                    return false
                }
            }
            explicitKeyPending = token.text == "?"
            return true
        }
        return found
    }
}

/// Locates the repeated key that Yams reports only by its first occurrence.
enum DuplicateKeyFinder {
    static func secondOccurrence(of key: String, after first: Mark, in text: String) -> (line: Int, column: Int)? {
        var candidates: [(line: Int, column: Int)] = []
        let spellings: Set<Substring> = [Substring(key), Substring("\"\(key)\""), Substring("'\(key)'")]
        YAMLLexer.forEachToken(in: text) { token in
            let past = token.line > first.line || (token.line == first.line && token.column > first.column)
            var keyText = token.text
            if keyText.last == ":" { keyText = keyText.dropLast() }
            let isKey = token.text.last == ":" || token.next == ":"
            if past && isKey && spellings.contains(keyText) {
                candidates.append((token.line, token.column))
            }
            return true
        }
        return candidates.first { $0.column == first.column } ?? candidates.first
    }
}
