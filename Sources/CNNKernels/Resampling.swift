import Foundation

// MARK: Cropping, upsampling and element-wise layers

/// `cropping2d`: the rows and columns of the input from (`top`, `left`) on.
@inline(never)
package func crop(
    _ batch: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
    height: Int, width: Int, channels: Int, outputHeight: Int, outputWidth: Int, top: Int, left: Int
) {
    for n in 0..<batch {
        for y in 0..<outputHeight {
            (output + (n * outputHeight + y) * outputWidth * channels)
                .update(from: input + ((n * height + y + top) * width + left) * channels, count: outputWidth * channels)
        }
    }
}

/// `upsampling2d` with `nearest`: each pixel repeated `factors` times on each axis.
@inline(never)
package func upsampleNearest(
    _ batch: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
    height: Int, width: Int, channels: Int, factors: (Int, Int)
) {
    let outputWidth = width * factors.1
    for n in 0..<batch {
        for y in 0..<height * factors.0 {
            let source = input + (n * height + y / factors.0) * width * channels
            let target = output + (n * height * factors.0 + y) * outputWidth * channels
            for x in 0..<outputWidth {
                (target + x * channels).update(from: source + x / factors.1 * channels, count: channels)
            }
        }
    }
}

/// `upsampling2d` with `bilinear`, as Keras resizes: output pixel y samples input row
/// (y + ½) / factor − ½, clamped to the image, between its two neighbours.
@inline(never)
package func upsampleBilinear(
    _ batch: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
    height: Int, width: Int, channels: Int, outputHeight: Int, outputWidth: Int
) {
    func neighbours(_ index: Int, _ size: Int, _ outputSize: Int) -> (Int, Int, Float) {
        let position = max((Float(index) + 0.5) * Float(size) / Float(outputSize) - 0.5, 0)
        let low = min(Int(position), size - 1)
        return (low, min(low + 1, size - 1), position - Float(low))
    }
    for n in 0..<batch {
        let image = input + n * height * width * channels
        for y in 0..<outputHeight {
            let (top, bottom, dy) = neighbours(y, height, outputHeight)
            for x in 0..<outputWidth {
                let (left, right, dx) = neighbours(x, width, outputWidth)
                let target = output + ((n * outputHeight + y) * outputWidth + x) * channels
                let (a, b) = (image + (top * width + left) * channels, image + (top * width + right) * channels)
                let (c, d) = (image + (bottom * width + left) * channels, image + (bottom * width + right) * channels)
                for k in 0..<channels {
                    let upper = a[k] + (b[k] - a[k]) * dx
                    let lower = c[k] + (d[k] - c[k]) * dx
                    target[k] = upper + (lower - upper) * dy
                }
            }
        }
    }
}

/// A `relu` layer's general form: `maxValue` where x ≥ maxValue, x from `threshold` up, and
/// `slope` · (x − threshold) below it.
@inline(never)
package func clippedRelu(
    _ count: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, maxValue: Float, slope: Float,
    threshold: Float
) {
    for i in 0..<count {
        let x = input[i]
        output[i] = x >= maxValue ? maxValue : x >= threshold ? x : slope * (x - threshold)
    }
}

/// How two inputs of a merge combine.
package enum Combination: Sendable {
    case add, multiply, subtract, maximum, minimum
}

/// output = first ∘ second for `batch` samples of [height, width, channels] (a rank-1 shape is
/// [1, 1, C]); each input's axes are the output's or 1, which is broadcast. `output` may be `first`.
@inline(never)
package func combine(
    _ combination: Combination, _ batch: Int, _ first: UnsafePointer<Float>, _ firstShape: (Int, Int, Int),
    _ second: UnsafePointer<Float>, _ secondShape: (Int, Int, Int), _ output: UnsafeMutablePointer<Float>,
    _ shape: (Int, Int, Int)
) {
    switch combination {
    case .add: broadcast(batch, first, firstShape, second, secondShape, output, shape) { $0 + $1 }
    case .multiply: broadcast(batch, first, firstShape, second, secondShape, output, shape) { $0 * $1 }
    case .subtract: broadcast(batch, first, firstShape, second, secondShape, output, shape) { $0 - $1 }
    case .maximum: broadcast(batch, first, firstShape, second, secondShape, output, shape) { max($0, $1) }
    case .minimum: broadcast(batch, first, firstShape, second, secondShape, output, shape) { min($0, $1) }
    }
}

@inline(__always)
private func broadcast(
    _ batch: Int, _ first: UnsafePointer<Float>, _ firstShape: (Int, Int, Int), _ second: UnsafePointer<Float>,
    _ secondShape: (Int, Int, Int), _ output: UnsafeMutablePointer<Float>, _ shape: (Int, Int, Int),
    _ operation: (Float, Float) -> Float
) {
    /// Element strides of an input over the output's axes: 0 where it is broadcast.
    func strides(_ s: (Int, Int, Int)) -> (Int, Int, Int) {
        (s.0 == 1 ? 0 : s.1 * s.2, s.1 == 1 ? 0 : s.2, s.2 == 1 ? 0 : 1)
    }
    let (a, b) = (strides(firstShape), strides(secondShape))
    let firstSize = firstShape.0 * firstShape.1 * firstShape.2
    let secondSize = secondShape.0 * secondShape.1 * secondShape.2
    var target = output
    for n in 0..<batch {
        for y in 0..<shape.0 {
            for x in 0..<shape.1 {
                let p = first + n * firstSize + y * a.0 + x * a.1
                let q = second + n * secondSize + y * b.0 + x * b.1
                if a.2 == 1 && b.2 == 1 {
                    for c in 0..<shape.2 { target[c] = operation(p[c], q[c]) }
                } else {
                    for c in 0..<shape.2 { target[c] = operation(p[c * a.2], q[c * b.2]) }
                }
                target += shape.2
            }
        }
    }
}

/// Multiplies `count` floats in place by `factor` (an `average` merge's 1 / inputs).
@inline(never)
package func scale(_ count: Int, _ values: UnsafeMutablePointer<Float>, by factor: Float) {
    for i in 0..<count { values[i] *= factor }
}
