/// An activation on one vector, as a type: `ActivationKernel.map` is specialized for each, so the
/// arithmetic is inlined into its loop. Passed as a closure, a body as large as gelu's stayed a
/// call, whose vector argument travels in 128-bit pieces, and spilled even on AVX-512.
protocol VectorFunction {
    static func apply(_ x: VectorMath.Vector) -> VectorMath.Vector
}

/// The vector activations, with Keras 3's definitions.
enum VectorFunctions {
    enum Relu: VectorFunction {
        @inline(__always) static func apply(_ x: VectorMath.Vector) -> VectorMath.Vector { Epilogue.Clamp.relu.apply(x) }
    }

    enum Relu6: VectorFunction {
        @inline(__always) static func apply(_ x: VectorMath.Vector) -> VectorMath.Vector { Epilogue.Clamp.relu6.apply(x) }
    }

    enum LeakyRelu: VectorFunction {
        @inline(__always) static func apply(_ x: VectorMath.Vector) -> VectorMath.Vector { Epilogue.Clamp.leakyRelu.apply(x) }
    }

    enum Elu: VectorFunction {
        @inline(__always) static func apply(_ x: VectorMath.Vector) -> VectorMath.Vector {
            x.replacing(with: VectorMath.exp(x) - 1, where: x .< 0)
        }
    }

    enum Selu: VectorFunction {
        @inline(__always) static func apply(_ x: VectorMath.Vector) -> VectorMath.Vector {
            1.0507009873554805 * x.replacing(with: 1.6732632423543772 * (VectorMath.exp(x) - 1), where: x .< 0)
        }
    }

    enum Gelu: VectorFunction {
        @inline(__always) static func apply(_ x: VectorMath.Vector) -> VectorMath.Vector {
            0.5 * x * (1 + VectorMath.erf(x * 0.70710678118654752))
        }
    }

    enum Sigmoid: VectorFunction {
        @inline(__always) static func apply(_ x: VectorMath.Vector) -> VectorMath.Vector { VectorMath.sigmoid(x) }
    }

    enum HardSigmoid: VectorFunction {
        @inline(__always) static func apply(_ x: VectorMath.Vector) -> VectorMath.Vector { VectorMath.clamp(x + 3, 0, 6) / 6 }
    }

    enum Tanh: VectorFunction {
        @inline(__always) static func apply(_ x: VectorMath.Vector) -> VectorMath.Vector { VectorMath.tanh(x) }
    }

    enum Softsign: VectorFunction {
        @inline(__always) static func apply(_ x: VectorMath.Vector) -> VectorMath.Vector { x / (1 + VectorMath.abs(x)) }
    }

    enum Swish: VectorFunction {
        @inline(__always) static func apply(_ x: VectorMath.Vector) -> VectorMath.Vector { x * VectorMath.sigmoid(x) }
    }
}
