import CNNFormats

// No `import Testing` here: this is a regular target, built by a plain `swift build` too, where
// the static standard library has no Testing module. Test targets wrap these in `#expect`.

/// Why `actual` and `expected` do not agree within the contract's tolerance (the shapes, or the
/// worst element), or nil when they do: `#expect(tensorMismatch(output, expected) == nil)`.
public func tensorMismatch(_ actual: Tensor, _ expected: Tensor, absolute: Float = 1e-4, relative: Float = 1e-4) -> String? {
    guard actual.shape == expected.shape else { return "shape \(actual.shape), expected \(expected.shape)" }
    var worst: (index: Int, excess: Float)? = nil
    for (index, (a, e)) in zip(actual.scalars, expected.scalars).enumerated() {
        let excess = abs(a - e) - (absolute + relative * abs(e))
        if !(excess <= 0), worst == nil || !(excess <= worst!.excess) { worst = (index, excess) }
    }
    guard let worst else { return nil }
    return "element \(worst.index) is \(actual.scalars[worst.index]), expected \(expected.scalars[worst.index])"
}

/// `count` pseudo-random floats in [-1, 1), the same on every run.
public func randomScalars(_ count: Int, seed: UInt64) -> [Float] {
    var state = seed &+ 0x9E37_79B9_7F4A_7C15
    return (0..<count).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Float(state >> 40) / Float(1 << 23) - 1
    }
}
