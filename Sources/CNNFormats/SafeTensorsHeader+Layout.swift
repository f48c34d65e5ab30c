/// The rule tying the header to the data buffer: every tensor's bytes lie inside the buffer, no two
/// tensors share a byte, and together they cover it with no hole, as the format requires.
extension SafeTensorsHeader {
    /// Checks the entries' offsets against a data buffer of `bufferSize` bytes.
    func validateLayout(bufferSize: Int, path: String) throws(FileFormatError) {
        let problem = { (message: String) in FileFormatError(path: path, message: message) }
        for entry in entries where entry.end > bufferSize {
            throw problem(
                "tensor '\(entry.name)' has data_offsets \(entry.offsetsDescription) but the data buffer has only "
                    + "\(bufferSize) bytes; the file may be truncated")
        }
        let ordered = entries.sorted { left, right in
            (left.begin, left.end) != (right.begin, right.end)
                ? (left.begin, left.end) < (right.begin, right.end)
                : left.name.utf8.lexicographicallyPrecedes(right.name.utf8)
        }
        var covered = 0
        var previous: Entry?
        for entry in ordered {
            if entry.begin < covered, let previous {
                throw problem(
                    "tensor '\(entry.name)' has data_offsets \(entry.offsetsDescription), which overlap tensor "
                        + "'\(previous.name)' at \(previous.offsetsDescription)")
            }
            if entry.begin > covered {
                let after = previous.map { " between tensor '\($0.name)' and" } ?? " before"
                throw problem(
                    "bytes \(covered) to \(entry.begin) of the data buffer belong to no tensor (a hole\(after) "
                        + "tensor '\(entry.name)'); the format requires the tensors to cover the buffer")
            }
            covered = entry.end
            previous = entry
        }
        if covered < bufferSize {
            throw problem(
                "bytes \(covered) to \(bufferSize) of the data buffer belong to no tensor (after the last one); "
                    + "the format requires the tensors to cover the buffer")
        }
    }
}
