import Foundation

// MARK: Vector math

// Transcendental functions a vector at a time, for the activations: polynomial forms accurate to a
// few float ulps (exp) or a few 1e-7 absolute (erf, tanh near 0), far inside Keras's 1e-4
// tolerance. libm's scalar `tanhf` and `expm1f` took 60% of LeNet-5's time.

/// eˣ, Cephes' `expf`: x = n·ln 2 + r with |r| ≤ ln 2 / 2, n = round(x / ln 2), a degree-6
/// polynomial for eʳ, and 2ⁿ put into the exponent bits. Inputs are clamped to [−87, 88], where eˣ
/// is a normal float.
@inline(__always)
func exp(_ x: Lanes) -> Lanes {
    let x = clamp(x, -87, 88)
    // Adding 1.5·2²³ rounds to an integer (the float has no fraction bits left at that size); the
    // generic SIMD rounding and Int32 conversions go lane by lane.
    // The types spelled out: inferred, these two lines took the type checker 15 ms.
    let n: Lanes = (x * 1.44269504088896341 + 12_582_912) - 12_582_912
    let r: Lanes = x - n * 0.693359375 + n * 2.12194440e-4
    var p = Lanes(repeating: 1.9875691500e-4)
    p = p * r + 1.3981999507e-3
    p = p * r + 8.3334519073e-3
    p = p * r + 4.1665795894e-2
    p = p * r + 1.6666665459e-1
    p = p * r + 5.0000001201e-1
    p = p * r * r + r + 1
    // n + 127 + 2²³ holds n + 127 in its low mantissa bits; shifted into the exponent field it is 2ⁿ.
    let exponent = unsafeBitCast(n + 8_388_735, to: Lanes.MaskStorage.self) &<< 23
    return p * unsafeBitCast(exponent, to: Lanes.self)
}

/// 1 / (1 + e^−x); saturates to 0 and 1 without overflow.
@inline(__always)
func sigmoid(_ x: Lanes) -> Lanes { 1 / (1 + exp(-x)) }

/// tanh x = sign(x) · (1 − 2 / (e^2|x| + 1)).
@inline(__always)
func tanh(_ x: Lanes) -> Lanes {
    let magnitude: Lanes = 1 - 2 / (exp(2 * abs(x)) + 1)  // inferred, 30 ms of type checking
    return magnitude.replacing(with: -magnitude, where: x .< 0)
}

/// erf x as a rational function, x · P(x²) / Q(x²) on [−4, 4] (beyond, erf is ±1 in float), the
/// minimax fit Eigen and XLA use: no exp, so gelu's loop stays small enough for the optimizer to
/// inline all of it.
@inline(__always)
func erf(_ x: Lanes) -> Lanes {
    let x = clamp(x, -4, 4)
    let x2 = x * x
    var p = Lanes(repeating: -2.72614225801306e-10)
    p = p * x2 + 2.77068142495902e-08
    p = p * x2 - 2.10102402082508e-06
    p = p * x2 - 5.69250639462346e-05
    p = p * x2 - 7.34990630326855e-04
    p = p * x2 - 2.95459980854025e-03
    p = p * x2 - 1.60960333262415e-02
    var q = Lanes(repeating: -1.45660718464996e-05)
    q = q * x2 - 2.13374055278905e-04
    q = q * x2 - 1.68282697438203e-03
    q = q * x2 - 7.37332916720468e-03
    q = q * x2 - 1.42647390514189e-02
    return x * p / q
}

@inline(__always)
func abs(_ x: Lanes) -> Lanes { x.replacing(with: -x, where: x .< 0) }

/// `x` limited to [low, high]. (`SIMD.clamped` compares lane by lane, and `pointwiseMin` on
/// SIMD8 stays a call; masks stay in vectors.)
@inline(__always)
func clamp(_ x: Lanes, _ low: Float, _ high: Float) -> Lanes {
    let raised = x.replacing(with: low, where: x .< low)
    return raised.replacing(with: high, where: raised .> high)
}
