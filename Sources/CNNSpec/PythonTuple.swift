import Foundation

/// Python tuples where a spec wants a list, a habit from Keras code: `kernel_size: (3, 3)`.
///
/// In block style the tuple is one string, `(3, 3)`. In a flow mapping the comma ends the entry,
/// so `{pool_size: (2, 2)}` arrives as `pool_size: "(2"` followed by a key `2)` without a value.
/// `rejoin` puts such pieces back together, so the value is reported once, where it stands, with a
/// note to write a list, instead of as a wrong type plus an unknown key `2)`.
enum PythonTuple {
    typealias Pairs = [(key: Located<String>, value: SpecValue)]

    /// `pairs` with each tuple split by flow-mapping commas joined back into one string value.
    static func rejoin(_ pairs: Pairs) -> Pairs {
        var result: Pairs = []
        var index = pairs.startIndex
        while index < pairs.endIndex {
            let pair = pairs[index]
            index += 1
            guard case .string(let head) = pair.value.kind, head.hasPrefix("("), !head.contains(")") else {
                result.append(pair)
                continue
            }
            var pieces = [head]
            var end = index
            while end < pairs.endIndex, case .null = pairs[end].value.kind, !pieces.last!.hasSuffix(")") {
                pieces.append(pairs[end].key.value)
                end += 1
            }
            guard pieces.last!.hasSuffix(")") else {
                result.append(pair)
                continue
            }
            result.append((pair.key, SpecValue(.string(pieces.joined(separator: ", ")), at: pair.value.location)))
            index = end
        }
        return result
    }

    /// `[3, 3]` for the text `(3, 3)`, `(3,3)` or `(3,)`; nil when `text` is not a tuple of numbers.
    static func listSpelling(of text: String) -> String? {
        guard text.hasPrefix("("), text.hasSuffix(")"), text.count >= 3 else { return nil }
        var elements = text.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        if elements.count > 1, elements.last == "" { elements.removeLast() }
        guard !elements.isEmpty, elements.allSatisfy({ Double($0) != nil }) else { return nil }
        return "[" + elements.joined(separator: ", ") + "]"
    }
}
