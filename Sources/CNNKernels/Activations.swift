import Foundation

// MARK: Activations

/// The activations that run as a pass over a layer's output, with Keras 3's definitions.
package enum Activation: Sendable {
    case linear, relu, relu6, leakyRelu, elu, selu, gelu, sigmoid, hardSigmoid, tanh, softmax, softplus, softsign,
        swish
}

/// Applies an activation in place to `count` floats; softmax normalizes each run of `channels`.
@inline(__always)
package func activate(
    _ activation: Activation, _ values: UnsafeMutablePointer<Float>, count: Int, channels: Int, parts: Int = 1
) {
    activate(activation, values, values, count: count, channels: channels, parts: parts)
}

/// `output` = the activation of `input` (`count` floats; they may be the same memory): one pass, no
/// copy first. Split across up to `parts` threads by runs of whole vectors (softmax by runs of
/// channels).
@inline(never)
package func activate(
    _ activation: Activation, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int,
    channels: Int, parts: Int = 1
) {
    if activation == .linear {
        if UnsafePointer(output) != input { output.update(from: input, count: count) }
        return
    }
    let rows = activation == .softmax ? count / channels : count
    let parts = partCount(available: parts, units: rows, work: count, minimum: minimumPassWork)
    inParallel(parts) { part in
        if activation == .softmax {
            for row in share(part, of: parts, rows) {
                softmax(input + row * channels, output + row * channels, channels)
            }
        } else {
            let range = run(part, of: parts, count)
            activate(activation, input + range.lowerBound, output + range.lowerBound, count: range.count)
        }
    }
}

/// `activate` on one run of values, on the calling thread; softmax is done row by row. One line a
/// case: `cnnc build` leaves out the cases of the activations a model does not use, and with them
/// the code of their vector functions.
private func activate(
    _ activation: Activation, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int
) {
    switch activation {
    case .linear, .softmax: break
    case .relu: map(input, output, count, Relu.self)
    case .relu6: map(input, output, count, Relu6.self)
    case .leakyRelu: map(input, output, count, LeakyRelu.self)
    case .elu: map(input, output, count, Elu.self)
    case .selu: map(input, output, count, Selu.self)
    case .gelu: map(input, output, count, Gelu.self)
    case .sigmoid: map(input, output, count, Sigmoid.self)
    case .hardSigmoid: map(input, output, count, HardSigmoid.self)
    case .tanh: map(input, output, count, Tanh.self)
    case .softplus: softplus(input, output, count)
    case .softsign: map(input, output, count, Softsign.self)
    case .swish: map(input, output, count, Swish.self)
    }
}

/// log(1 + eˣ) without overflow: max(x, 0) + log1p(e^−|x|).
private func softplus(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ count: Int) {
    for i in 0..<count { output[i] = max(input[i], 0) + Foundation.log1p(Foundation.exp(-Swift.abs(input[i]))) }
}

#if CNNC_AVX512
    /// The activation pass's vector: one AVX-512 register.
    typealias Lanes = SIMD16<Float>
#else
    /// The activation pass's vector: one AVX2 register, two NEON ones. The polynomials'
    /// temporaries at sixteen lanes need more than AVX2's 16 registers and spill.
    typealias Lanes = SIMD8<Float>
#endif

/// An activation on one vector, as a type: `map` is specialized for each, so the arithmetic is
/// inlined into its loop. Passed as a closure, a body as large as gelu's stayed a call, whose
/// vector argument travels in 128-bit pieces, and spilled even on AVX-512.
protocol VectorFunction {
    static func apply(_ x: Lanes) -> Lanes
}

/// Writes `Function` of each run of `Lanes.scalarCount` values of `input` to `output` (which may be
/// `input`). Specialized for each activation and kept out of line, so that no loop keeps another's
/// constants in its registers. `Function.apply` appears once: the last partial run goes through a
/// zero-padded copy, by a call of this function. (With a second call of apply for it, the
/// optimizer stopped inlining exp into gelu's loop; passed as a closure, apply stayed a call whose
/// vector went in 128-bit pieces.)
@inline(never)
private func map<Function: VectorFunction>(
    _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ count: Int, _: Function.Type
) {
    let (source, target) = (UnsafeRawPointer(input), UnsafeMutableRawPointer(output))
    let whole = count - count % Lanes.scalarCount
    var i = 0
    while i < whole {
        let offset = i * MemoryLayout<Float>.stride
        let x = source.loadUnaligned(fromByteOffset: offset, as: Lanes.self)
        target.storeBytes(of: Function.apply(x), toByteOffset: offset, as: Lanes.self)
        i += Lanes.scalarCount
    }
    guard whole < count else { return }
    withUnsafeTemporaryAllocation(of: Float.self, capacity: Lanes.scalarCount) { buffer in
        let tail = buffer.baseAddress!
        tail.initialize(repeating: 0, count: Lanes.scalarCount)
        tail.update(from: input + whole, count: count - whole)
        map(tail, tail, Lanes.scalarCount, Function.self)
        (output + whole).update(from: tail, count: count - whole)
    }
}

/// e^(x − max) / Σ e^(x − max) over one run of `count` values of `input` into `output`, so large
/// logits do not overflow. Its own function, like each `map`: the loops around it keep nothing in
/// registers it needs.
@inline(never)
private func softmax(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ count: Int) {
    var largest = input[0]
    for i in 1..<count { largest = max(largest, input[i]) }
    for i in 0..<count { output[i] = input[i] - largest }
    map(output, output, count, Exp.self)
    var sum: Float = 0
    for i in 0..<count { sum += output[i] }
    let scale = 1 / sum
    for i in 0..<count { output[i] *= scale }
}

private enum Relu: VectorFunction {
    @inline(__always) static func apply(_ x: Lanes) -> Lanes { x.replacing(with: 0, where: x .< 0) }
}

private enum Relu6: VectorFunction {
    @inline(__always) static func apply(_ x: Lanes) -> Lanes { clamp(x, 0, 6) }
}

private enum LeakyRelu: VectorFunction {
    @inline(__always) static func apply(_ x: Lanes) -> Lanes { x.replacing(with: x * 0.2, where: x .< 0) }
}

private enum Elu: VectorFunction {
    @inline(__always) static func apply(_ x: Lanes) -> Lanes { x.replacing(with: exp(x) - 1, where: x .< 0) }
}

private enum Selu: VectorFunction {
    @inline(__always) static func apply(_ x: Lanes) -> Lanes {
        1.0507009873554805 * x.replacing(with: 1.6732632423543772 * (exp(x) - 1), where: x .< 0)
    }
}

private enum Gelu: VectorFunction {
    @inline(__always) static func apply(_ x: Lanes) -> Lanes { 0.5 * x * (1 + erf(x * 0.70710678118654752)) }
}

private enum Sigmoid: VectorFunction {
    @inline(__always) static func apply(_ x: Lanes) -> Lanes { sigmoid(x) }
}

private enum HardSigmoid: VectorFunction {
    @inline(__always) static func apply(_ x: Lanes) -> Lanes { clamp(x + 3, 0, 6) / 6 }
}

private enum Tanh: VectorFunction {
    @inline(__always) static func apply(_ x: Lanes) -> Lanes { tanh(x) }
}

private enum Softsign: VectorFunction {
    @inline(__always) static func apply(_ x: Lanes) -> Lanes { x / (1 + abs(x)) }
}

private enum Swish: VectorFunction {
    @inline(__always) static func apply(_ x: Lanes) -> Lanes { x * sigmoid(x) }
}

private enum Exp: VectorFunction {
    @inline(__always) static func apply(_ x: Lanes) -> Lanes { exp(x) }
}
