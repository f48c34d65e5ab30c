import CNNFormats

/// Inputs the fuzz targets make themselves, the same on every run so that a crash reproduces.
public enum Deterministic {
    /// A tensor of `shape` whose scalars cycle through small positive and negative values,
    /// offset by `seed` so that two tensors of one shape differ.
    public static func tensor(_ shape: [Int], seed: Int) -> Tensor {
        let count = shape.reduce(1, *)
        let scalars = (0..<count).map { index in Float((index &* 37 &+ seed &* 11) % 17 - 8) / 16 }
        return Tensor(shape: shape, scalars: scalars)
    }

    /// Whether two tensors hold the same shape and the same bits (NaNs included).
    public static func identical(_ a: Tensor, _ b: Tensor) -> Bool {
        a.shape == b.shape && a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern)
    }
}
