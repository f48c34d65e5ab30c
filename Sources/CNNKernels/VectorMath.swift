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
    let n = (x * 1.44269504088896341 + 12_582_912) - 12_582_912
    let r = x - n * 0.693359375 + n * 2.12194440e-4
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
    let magnitude = 1 - 2 / (exp(2 * abs(x)) + 1)
    return magnitude.replacing(with: -magnitude, where: x .< 0)
}

/// erf x, Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7).
@inline(__always)
func erf(_ x: Lanes) -> Lanes {
    let a = abs(x)
    let t = 1 / (1 + 0.3275911 * a)
    var p = Lanes(repeating: 1.061405429)
    p = p * t - 1.453152027
    p = p * t + 1.421413741
    p = p * t - 0.284496736
    p = p * t + 0.254829592
    let y = 1 - p * t * exp(-a * a)
    return y.replacing(with: -y, where: x .< 0)
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
