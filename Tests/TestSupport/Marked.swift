import CNNSpec

/// A spec snippet with location markers (1️⃣, 2️⃣, …) removed, and where each marker stood.
/// Columns count Unicode scalars, as cnnc's locations do.
public struct Marked {
    public static let markers: [Character] = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣"]

    public let text: String
    public let locations: [Character: (line: Int, column: Int)]

    public init(_ source: String) {
        var text = ""
        var locations: [Character: (line: Int, column: Int)] = [:]
        var line = 1
        var column = 1
        for character in source {
            if Marked.markers.contains(character) {
                locations[character] = (line, column)
                continue
            }
            text.append(character)
            if character == "\n" {
                line += 1
                column = 1
            } else {
                column += character.unicodeScalars.count
            }
        }
        self.text = text
        self.locations = locations
    }

    public func file(_ path: String = "spec.yaml") -> SourceFile {
        SourceFile(path: path, text: text)
    }

    public subscript(marker: Character) -> SourceLocation {
        let position = locations[marker]!
        return SourceLocation(file: "spec.yaml", line: position.line, column: position.column)
    }
}
