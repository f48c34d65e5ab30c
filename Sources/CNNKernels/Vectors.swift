// The kernels of both back ends. The interpreter calls them with shapes from the graph; `cnnc
// build` prints this folder's text into every model it generates, where the top-level
// declarations become private, so the generated file carries the very code the tests run here.
// Hence the rules of this module: the standard library and Foundation only; `package` marks what
// the interpreter calls, and `internal` (no modifier) what the files share among themselves.
// What comes before a file's imports is for this module's readers and is not printed.

import Foundation

// MARK: Vectors

/// The register tile's vector: sixteen floats, one AVX-512 register, two AVX2 ones, four NEON ones.
typealias Vector = SIMD16<Float>

@inline(__always)
func multiplyAdd(_ accumulator: inout Vector, _ x: Vector, _ y: Vector) {
    #if CNNC_FMA || arch(arm64)
        accumulator.addProduct(x, y)
    #else
        accumulator += x * y
    #endif
}

@inline(__always)
func load(_ pointer: UnsafePointer<Float>) -> Vector {
    UnsafeRawPointer(pointer).loadUnaligned(as: Vector.self)
}

@inline(__always)
func store(_ value: Vector, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Vector.self)
}

/// Asks the CPU to bring the cache line at `pointer` into its second-level cache, without waiting
/// for it and without faulting on any address: LLVM's prefetch intrinsic, which every target Swift
/// runs on has (x86-64 `prefetcht1`, arm64 `prfm pldl2keep`). The standard library does not name
/// it, so it is declared with `@_silgen_name`, and only with `-DCNNC_PREFETCH`: under
/// `-sanitize=thread` the Swift 6.3 compiler turns the call into an `invoke`, which LLVM rejects
/// for an intrinsic, and crashes. Without the flag this does nothing.
@inline(__always)
func prefetch(_ pointer: UnsafePointer<Float>) {
    #if CNNC_PREFETCH
        llvmPrefetch(UnsafeRawPointer(pointer), 0, 2, 1)
    #endif
}

#if CNNC_PREFETCH
    @_silgen_name("llvm.prefetch.p0")
    func llvmPrefetch(_ address: UnsafeRawPointer, _ write: Int32, _ locality: Int32, _ cache: Int32)
#endif

/// The first `count` lanes of `value`, through `stage`: 16 floats of scratch, memory the optimizer
/// must assume is read elsewhere, so the whole vector is stored there. Taken lane by lane from
/// registers, or through a local buffer, where `count` is a constant (a layer of 5 or 10 outputs),
/// the optimizer trims the tile's accumulators to the lanes stored, in odd pieces (8 + 4 + 3 + 1
/// lanes on AVX2) that spill in the hot loop.
@inline(__always)
func storePart(
    _ value: Vector, _ pointer: UnsafeMutablePointer<Float>, _ count: Int, _ stage: UnsafeMutablePointer<Float>
) {
    store(value, stage)
    pointer.update(from: stage, count: count)
}

/// The first `count` floats from `pointer` (at most 16; the other lanes are left unspecified), read
/// through `stage` unless all 16 are wanted, so that nothing past them is read.
@inline(__always)
func loadPart(_ pointer: UnsafePointer<Float>, _ count: Int, _ stage: UnsafeMutablePointer<Float>) -> Vector {
    guard count < 16 else { return load(pointer) }
    stage.update(from: pointer, count: count)
    return load(stage)
}

/// The activations a matrix product's store applies for free: they cost no register of the tile.
/// Every one is one formula, negative values scaled by `slope` and the rest capped at `high`.
package enum Clamp: Sendable {
    case none, relu, relu6, leakyRelu

    var slope: Float {
        switch self {
        case .none: 1
        case .relu, .relu6: 0
        case .leakyRelu: 0.2
        }
    }

    var high: Float { self == .relu6 ? 6 : .infinity }
}

/// Bias, then a residual if there is one, then the clamp, on sixteen outputs. Every clamp is one
/// formula, negative values scaled by a slope and the rest capped: no branch, and a quarter of the
/// code four formulas would be in each of a tile's six or twelve stores. With slopes from 0 to 1,
/// the scaled value is the larger exactly where the value is negative, so the formula is a
/// multiply, a maximum and a minimum (x86-64 `vmaxps`, `vminps`), with no compare and blend.
///
/// The residual comes as a pointer (its first `count` floats, staged through `stage` when fewer
/// than sixteen), not as an optional vector: where the optional is not known to be nil, the
/// compiler moves an optional vector as eight 64-bit integers and rebuilds it lane by lane.
@inline(__always)
func finish(
    _ value: Vector, _ bias: UnsafePointer<Float>, _ clamp: Clamp, adding residual: UnsafePointer<Float>? = nil,
    count: Int = 16, stage: UnsafeMutablePointer<Float>? = nil
) -> Vector {
    var value = value + load(bias)
    if let residual { value += count < 16 ? loadPart(residual, count, stage!) : load(residual) }
    return clamped(value, Vector(repeating: clamp.slope), Vector(repeating: clamp.high))
}

/// `finish(value, bias, .relu)` in two instructions rather than four (x86-64 `vaddps`, `vmaxps`),
/// to the bit: negative values become -0, as `finish` scales them by 0.
@inline(__always)
func rectify(_ value: Vector, _ bias: UnsafePointer<Float>) -> Vector {
    let (value, zero) = (value + load(bias), Vector(repeating: -0.0))
    return value.replacing(with: zero, where: zero .> value)
}

/// A clamp made vectors once, for the stores of a tile: relu in two instructions (`rectify`), no
/// clamp (Winograd's products) as the sum and bias alone, the others as `clamped` with the slope
/// and cap broadcast once. In this form the compiler keeps whole vectors in a function as large as
/// the matrix product, where it split an inlined `finish` (its clamp not a constant) into quarter
/// vectors.
struct VectorClamp {
    let relu: Bool
    /// No clamp: `clamped` with slope 1 and no cap returns its value, bit for bit (a NaN too).
    let none: Bool
    let slope: Vector
    let high: Vector

    @inline(__always)
    init(_ clamp: Clamp) {
        (relu, none) = (clamp == .relu, clamp == .none)
        (slope, high) = (Vector(repeating: clamp.slope), Vector(repeating: clamp.high))
    }

    /// `finish(value, bias, clamp)`, to the bit.
    @inline(__always)
    func apply(_ value: Vector, _ bias: UnsafePointer<Float>) -> Vector {
        relu ? rectify(value, bias) : none ? value + load(bias) : clamped(value + load(bias), slope, high)
    }
}

/// `finish`'s clamp, given as its slope and cap: the larger of the value and the value scaled,
/// capped at `high`.
@inline(__always)
func clamped(_ value: Vector, _ slope: Vector, _ high: Vector) -> Vector {
    let scaled = value * slope
    let larger = value.replacing(with: scaled, where: scaled .> value)
    return larger.replacing(with: high, where: larger .> high)
}

/// `Lanes.scalarCount` floats from `pointer`, which need not be aligned.
@inline(__always)
func lanes(_ pointer: UnsafePointer<Float>) -> Lanes {
    UnsafeRawPointer(pointer).loadUnaligned(as: Lanes.self)
}

@inline(__always)
func storeLanes(_ value: Lanes, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Lanes.self)
}
