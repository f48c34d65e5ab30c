/// "Did you mean …?": the closest candidate by edit distance, if it is close enough to be a typo.
public enum Suggestions {
    /// The candidate nearest to `word` (optimal string alignment distance, case-insensitive), or nil
    /// when none is within about a third of the word's length. A word of three or more letters that
    /// begins a candidate (`kernel` for `kernel_size`) counts as close.
    public static func closest<S: Sequence>(to word: String, in candidates: S) -> String? where S.Element == String {
        let target = Array(word.lowercased().unicodeScalars)
        guard !target.isEmpty, target.count <= 64 else { return nil }
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            if target.count >= 3, candidate.count > target.count, candidate.lowercased().hasPrefix(word.lowercased() + "_") {
                return candidate
            }
            let distance = Suggestions.distance(target, Array(candidate.lowercased().unicodeScalars))
            let limit = max(1, min(target.count, candidate.count) / 3)
            if distance <= limit, distance < (best?.distance ?? .max) {
                best = (candidate, distance)
            }
        }
        return best?.candidate
    }

    /// Levenshtein distance where swapping two adjacent characters counts as one edit.
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previous2[j - 2] + 1)
                }
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}
