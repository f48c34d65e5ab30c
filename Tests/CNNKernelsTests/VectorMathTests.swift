import Foundation
import Testing

@testable import CNNKernels

/// The vector forms of the activations' transcendental functions against libm, over a sweep that
/// covers the clamps, zero, and both tails.
@Suite struct VectorMathTests {
    /// -100 ... 100 in steps of 1/64, plus values around zero.
    static let inputs: [Float] = (-6400...6400).map { Float($0) / 64 } + [1e-7, -1e-7, 1e-30, -1e-30, 0.3, -0.3]

    func worstError(_ vector: (Lanes) -> Lanes, _ scalar: (Double) -> Double, relative: Bool) -> Double {
        var worst = 0.0
        var index = 0
        while index < Self.inputs.count {
            var lanes = Lanes()
            let count = min(Lanes.scalarCount, Self.inputs.count - index)
            for lane in 0..<count { lanes[lane] = Self.inputs[index + lane] }
            let result = vector(lanes)
            for lane in 0..<count {
                let exact = scalar(Double(Self.inputs[index + lane]))
                var error = Swift.abs(Double(result[lane]) - exact)
                if relative { error /= max(Swift.abs(exact), Double(Float.leastNormalMagnitude)) }
                worst = max(worst, error)
            }
            index += count
        }
        return worst
    }

    @Test func expIsAccurateWhereFloatIsNormal() {
        // Inside the clamps the error is relative; outside, e^88 and e^−87 stand in for overflow and 0.
        let clamped = { (x: Double) in Foundation.exp(min(max(x, -87), 88)) }
        let worst = worstError({ CNNKernels.exp($0) }, clamped, relative: true)
        #expect(worst < 5e-7)
    }

    @Test func sigmoidTanhAndErfAreAccurateEverywhere() {
        let sigmoid = worstError({ CNNKernels.sigmoid($0) }, { 1 / (1 + Foundation.exp(-$0)) }, relative: false)
        let tanh = worstError({ CNNKernels.tanh($0) }, { Foundation.tanh($0) }, relative: false)
        let erf = worstError({ CNNKernels.erf($0) }, { Foundation.erf($0) }, relative: false)
        #expect(sigmoid < 1e-6)
        #expect(tanh < 1e-6)
        #expect(erf < 5e-7)
    }
}
