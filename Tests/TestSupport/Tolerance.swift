import CNNFormats
import Testing

/// Asserts that two tensors agree within the contract's tolerance, naming the worst element.
public func expectClose(
    _ actual: Tensor, _ expected: Tensor, absolute: Float = 1e-4, relative: Float = 1e-4,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
    #expect(actual.shape == expected.shape, sourceLocation: sourceLocation)
    guard actual.shape == expected.shape else { return }
    var worst: (index: Int, excess: Float)? = nil
    for (index, (a, e)) in zip(actual.scalars, expected.scalars).enumerated() {
        let excess = abs(a - e) - (absolute + relative * abs(e))
        if !(excess <= 0), worst == nil || !(excess <= worst!.excess) { worst = (index, excess) }
    }
    if let worst {
        Issue.record(
            "element \(worst.index) is \(actual.scalars[worst.index]), expected \(expected.scalars[worst.index])",
            sourceLocation: sourceLocation)
    }
}
