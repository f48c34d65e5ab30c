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
        let buffer = UnsafeMutableBufferPointer(start: values, count: count)
        switch activation {
        case .linear: break
        case .relu: for i in buffer.indices { buffer[i] = max(buffer[i], 0) }
        case .relu6: for i in buffer.indices { buffer[i] = min(max(buffer[i], 0), 6) }
        case .leakyRelu: for i in buffer.indices where buffer[i] < 0 { buffer[i] *= 0.2 }
        case .elu: for i in buffer.indices where buffer[i] < 0 { buffer[i] = expm1(buffer[i]) }
        case .selu:
            let scale: Float = 1.0507009873554805
            let alpha: Float = 1.6732632423543772
            for i in buffer.indices {
                let x = buffer[i]
                buffer[i] = x > 0 ? scale * x : scale * alpha * expm1(x)
            }
        case .gelu:
            for i in buffer.indices {
                let x = buffer[i]
                buffer[i] = 0.5 * x * (1 + erf(x * 0.70710678118654752))
            }
        case .sigmoid: for i in buffer.indices { buffer[i] = sigmoid(buffer[i]) }
        case .hardSigmoid: for i in buffer.indices { buffer[i] = min(max(buffer[i] + 3, 0), 6) / 6 }
        case .tanh: for i in buffer.indices { buffer[i] = Foundation.tanh(buffer[i]) }
        case .softmax: softmax(buffer)
        case .softplus:
            // log(1 + eˣ) without overflow: max(x, 0) + log1p(e^−|x|).
            for i in buffer.indices {
                let x = buffer[i]
                buffer[i] = max(x, 0) + log1p(exp(-abs(x)))
            }
        case .softsign: for i in buffer.indices { buffer[i] /= 1 + abs(buffer[i]) }
        case .swish: for i in buffer.indices { buffer[i] *= sigmoid(buffer[i]) }
        }
    }

    /// 1 / (1 + e^−x), computed from e^−|x| so that it neither overflows nor loses small values.
    @inline(__always)
    private func sigmoid(_ x: Float) -> Float {
        let e = exp(-abs(x))
        return x >= 0 ? 1 / (1 + e) : e / (1 + e)
    }

    /// Over each run of `channels` elements: e^(x − max) / Σ e^(x − max), so large logits do not
    /// overflow.
    private func softmax(_ buffer: UnsafeMutableBufferPointer<Float>) {
        var start = 0
        while start < buffer.count {
            let row = UnsafeMutableBufferPointer(rebasing: buffer[start..<start + channels])
            let largest = row.max() ?? 0
            var sum: Float = 0
            for i in row.indices {
                row[i] = exp(row[i] - largest)
                sum += row[i]
            }
            let scale = 1 / sum
            for i in row.indices { row[i] *= scale }
            start += channels
        }
    }
}
