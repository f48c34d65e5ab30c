import Foundation

// MARK: Weights

/// Floats in 64-byte-aligned memory that never moves: packed weights and activation arenas.
/// Immutable once its owner has filled it, so sharing it between threads is safe.
package final class FloatStore: @unchecked Sendable {
    package let count: Int
    package let base: UnsafeMutablePointer<Float>

    /// `count` zeros; the padding of a packed panel relies on them.
    package init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 16) * 4, alignment: 64)
        base = raw.initializeMemory(as: Float.self, repeating: 0, count: max(count, 16))
    }

    deinit { base.deallocate() }
}

/// Folds a per-channel x · scale + shift that follows a layer into its kernel and bias:
/// (x·k + b) · s + t = x·(k·s) + (b·s + t). The kernel's last axis is the output channel (conv2d,
/// depthwise_conv2d, dense; separable_conv2d's pointwise kernel; conv2d_transpose's matrix).
/// Never inlined: it runs once a layer at load, and inlined into a generated model's initializer
/// it would be a copy a layer to compile.
@inline(never)
package func foldScaleShift(kernel: [Float], bias: [Float]?, scale: [Float], shift: [Float]) -> (
    kernel: [Float], bias: [Float]
) {
    let channels = scale.count
    var kernel = kernel
    for i in kernel.indices { kernel[i] *= scale[i % channels] }
    let bias = bias ?? [Float](repeating: 0, count: channels)
    return (kernel, (0..<channels).map { bias[$0] * scale[$0] + shift[$0] })
}

/// Batch-norm statistics as x · scale + shift. Never inlined, as `foldScaleShift`.
@inline(never)
package func normScaleShift(
    gamma: [Float], beta: [Float], mean: [Float], variance: [Float], epsilon: Float
) -> (scale: [Float], shift: [Float]) {
    let scale = (0..<gamma.count).map { gamma[$0] / (variance[$0] + epsilon).squareRoot() }
    return (scale, (0..<gamma.count).map { beta[$0] - mean[$0] * scale[$0] })
}

/// `normalization` as x · scale + shift: scale = 1 / max(√variance, 1e-7), shift = −mean · scale.
/// Never inlined, as `foldScaleShift`.
@inline(never)
package func normalizationScaleShift(mean: [Float], variance: [Float]) -> (scale: [Float], shift: [Float]) {
    let scale = variance.map { 1 / max($0.squareRoot(), 1e-7) }
    return (scale, (0..<mean.count).map { -mean[$0] * scale[$0] })
}
