import CNNGraph
import Foundation

/// An activation applied in place over a layer's output, with Keras 3's definitions.
/// Softmax runs over the last axis, `channels` elements at a time.
struct ActivationKernel: LayerKernel {
    let activation: Activation
    /// The last axis, which softmax normalizes.
    let channels: Int
    /// The elements of one sample.
    let elementsPerSample: Int

    init(_ activation: Activation, shape: TensorShape) {
        self.activation = activation
        channels = shape.channels
        elementsPerSample = shape.elementCount ?? 0
    }

    /// The part of `activation` a matrix product's store can fuse, and the pass that must follow.
    static func split(_ activation: Activation, output: TensorShape) -> (Epilogue.Clamp, ActivationKernel?) {
        switch activation {
        case .linear: (.none, nil)
        case .relu: (.relu, nil)
        case .relu6: (.relu6, nil)
        case .leakyRelu: (.leakyRelu, nil)
        case .elu, .selu, .gelu, .sigmoid, .hardSigmoid, .tanh, .softmax, .softplus, .softsign, .swish:
            (.none, ActivationKernel(activation, shape: output))
        }
    }

    func run(_ inputs: StepInputs, into output: UnsafeMutablePointer<Float>, batch: Int, scratch: UnsafeMutablePointer<Float>) {
        let count = batch * elementsPerSample
        output.update(from: inputs[0], count: count)
        run(output, count: count)
    }

    /// Applies the activation to `count` floats at `values`.
    func run(_ values: UnsafeMutablePointer<Float>, count: Int) {
        switch activation {
        case .linear: break
        case .relu: map(values, count) { Epilogue.Clamp.relu.apply($0) }
        case .relu6: map(values, count) { Epilogue.Clamp.relu6.apply($0) }
        case .leakyRelu: map(values, count) { Epilogue.Clamp.leakyRelu.apply($0) }
        case .elu: map(values, count) { $0.replacing(with: VectorMath.exp($0) - 1, where: $0 .< 0) }
        case .selu:
            let (scale, alpha): (Float, Float) = (1.0507009873554805, 1.6732632423543772)
            map(values, count) { x in scale * x.replacing(with: alpha * (VectorMath.exp(x) - 1), where: x .< 0) }
        case .gelu: map(values, count) { x in 0.5 * x * (1 + VectorMath.erf(x * 0.70710678118654752)) }
        case .sigmoid: map(values, count) { VectorMath.sigmoid($0) }
        case .hardSigmoid: map(values, count) { VectorMath.clamp($0 + 3, 0, 6) / 6 }
        case .tanh: map(values, count) { VectorMath.tanh($0) }
        case .softmax: softmax(values, count: count)
        case .softplus:
            // log(1 + eˣ) without overflow: max(x, 0) + log1p(e^−|x|).
            for i in 0..<count {
                let x = values[i]
                values[i] = max(x, 0) + log1p(exp(-abs(x)))
            }
        case .softsign: map(values, count) { $0 / (1 + VectorMath.abs($0)) }
        case .swish: map(values, count) { $0 * VectorMath.sigmoid($0) }
        }
    }

    /// Replaces each run of sixteen floats by `transform` of it; a last partial run goes through a
    /// zero-padded vector.
    @inline(__always)
    private func map(_ values: UnsafeMutablePointer<Float>, _ count: Int, _ transform: (SIMD16<Float>) -> SIMD16<Float>) {
        let raw = UnsafeMutableRawPointer(values)
        var i = 0
        while i + 16 <= count {
            let offset = i * MemoryLayout<Float>.stride
            raw.storeBytes(of: transform(raw.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)), toByteOffset: offset, as: SIMD16<Float>.self)
            i += 16
        }
        guard i < count else { return }
        var tail = SIMD16<Float>()
        for j in 0..<count - i { tail[j] = values[i + j] }
        tail = transform(tail)
        for j in 0..<count - i { values[i + j] = tail[j] }
    }

    /// Over each run of `channels` elements: e^(x − max) / Σ e^(x − max), so large logits do not
    /// overflow.
    private func softmax(_ values: UnsafeMutablePointer<Float>, count: Int) {
        var row = values
        while row < values + count {
            var largest = row[0]
            for i in 1..<channels { largest = max(largest, row[i]) }
            map(row, channels) { VectorMath.exp($0 - largest) }
            var sum: Float = 0
            for i in 0..<channels { sum += row[i] }
            let scale = 1 / sum
            map(row, channels) { $0 * scale }
            row += channels
        }
    }
}
