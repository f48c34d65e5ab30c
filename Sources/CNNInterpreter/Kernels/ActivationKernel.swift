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
        case .relu: map(values, count, VectorFunctions.Relu.self)
        case .relu6: map(values, count, VectorFunctions.Relu6.self)
        case .leakyRelu: map(values, count, VectorFunctions.LeakyRelu.self)
        case .elu: map(values, count, VectorFunctions.Elu.self)
        case .selu: map(values, count, VectorFunctions.Selu.self)
        case .gelu: map(values, count, VectorFunctions.Gelu.self)
        case .sigmoid: map(values, count, VectorFunctions.Sigmoid.self)
        case .hardSigmoid: map(values, count, VectorFunctions.HardSigmoid.self)
        case .tanh: map(values, count, VectorFunctions.Tanh.self)
        case .softmax: softmax(values, count: count)
        case .softplus:
            // log(1 + eˣ) without overflow: max(x, 0) + log1p(e^−|x|).
            for i in 0..<count {
                let x = values[i]
                values[i] = max(x, 0) + log1p(exp(-abs(x)))
            }
        case .softsign: map(values, count, VectorFunctions.Softsign.self)
        case .swish: map(values, count, VectorFunctions.Swish.self)
        }
    }

    /// `map` with a vector function given as a type, specialized and inlined for each; one
    /// function per activation, so that no loop keeps another's constants in its registers.
    @inline(never)
    private func map<Function: VectorFunction>(_ values: UnsafeMutablePointer<Float>, _ count: Int, _: Function.Type) {
        map(values, count) { Function.apply($0) }
    }

    /// Replaces each run of `VectorMath.Vector.scalarCount` floats by `transform` of it; a last
    /// partial run goes through a zero-padded vector.
    @inline(__always)
    private func map(_ values: UnsafeMutablePointer<Float>, _ count: Int, _ transform: (VectorMath.Vector) -> VectorMath.Vector) {
        typealias Vector = VectorMath.Vector
        let raw = UnsafeMutableRawPointer(values)
        var i = 0
        while i + Vector.scalarCount <= count {
            let offset = i * MemoryLayout<Float>.stride
            raw.storeBytes(of: transform(raw.loadUnaligned(fromByteOffset: offset, as: Vector.self)), toByteOffset: offset, as: Vector.self)
            i += Vector.scalarCount
        }
        guard i < count else { return }
        var tail = Vector()
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
