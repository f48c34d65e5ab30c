/// A dense float32 array in row-major (C) order: what weights, inputs and outputs are made of.
public struct Tensor: Equatable, Sendable {
    /// The extent of each axis, outermost first. A scalar has no axes.
    public var shape: [Int]
    /// `shape`'s product values, row-major.
    public var scalars: [Float]

    /// A tensor of `shape` holding `scalars`; their count must be the shape's product.
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        precondition(shape.reduce(1, *) == scalars.count, "\(scalars.count) scalars for shape \(shape)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        self.init(shape: shape, scalars: [Float](repeating: 0, count: shape.reduce(1, *)))
    }

    /// The shape as users read it: `[3, 28, 28, 1]`.
    public var shapeDescription: String { Tensor.describe(shape) }

    /// A shape as users read it: `[3, 28, 28, 1]`.
    public static func describe(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
}

/// A file that cannot be read as the format it should be in. The message says what is wrong in
/// words a user can act on; the path says where.
public struct FileFormatError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    /// Details, one per line after the error: each tensor that does not match, for instance.
    public var notes: [String]

    public init(path: String, message: String, notes: [String] = []) {
        self.path = path
        self.message = message
        self.notes = notes
    }

    /// `path: error: message`, then `path: note: …` lines, as compilers print errors without a line.
    public var description: String {
        (["\(path): error: \(message)"] + notes.map { "\(path): note: \($0)" }).joined(separator: "\n")
    }
}
