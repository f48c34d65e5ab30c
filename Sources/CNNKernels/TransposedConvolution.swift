import Foundation

// MARK: Transposed convolution

/// Floats of scratch `transposedConvolution` needs, for any batch: a zero bias for the product,
/// `blockRows` rows of it (kh·kw·filters each), then the product's own scratch.
package func transposedScratchCount(channels: Int, kernel: (Int, Int), filters: Int) -> Int {
    let columns = kernel.0 * kernel.1 * filters
    return zeroBiasCount(columns) + blockRows * columns + scratchCount(depth: channels)
}

/// Keras's kernel [kh, kw, filters, in] as the matrix `transposedConvolution` multiplies by:
/// [in, kh·kw·filters], row c holding every tap's contribution of input channel c. Never
/// inlined, as `foldScaleShift`.
@inline(never)
package func transposedConvolutionMatrix(_ kernel: [Float], channels: Int) -> [Float] {
    let columns = kernel.count / max(channels, 1)
    var matrix = [Float](repeating: 0, count: kernel.count)
    for column in 0..<columns {
        for c in 0..<channels { matrix[c * columns + column] = kernel[column * channels + c] }
    }
    return matrix
}

/// `conv2d_transpose`: what each input pixel adds to the output, its channels times the kernel
/// [in, kh·kw·filters] (`transposedConvolutionMatrix`, packed), is a matrix product over
/// `blockRows` pixels at a time; each product row is then added to the kh × kw output pixels it
/// covers (col2im): input (y, x) and tap (ky, kx) go to output (y·sh − top + ky, x·sw − left + kx),
/// taps outside the output dropped. The output starts as the bias; the clamp comes last. It runs
/// on one thread (the first part of `scratch`): input pixels add into overlapping outputs, and an
/// order that depended on a split would change the sums.
@inline(never)
package func transposedConvolution(
    _ batch: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
    height: Int, width: Int, channels: Int, outputHeight: Int, outputWidth: Int, filters: Int,
    kernel: (Int, Int), strides: (Int, Int), padding: (top: Int, left: Int),
    weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, clamp: Clamp, scratch: Scratch
) {
    let columns = kernel.0 * kernel.1 * filters
    let zeros = scratch.base
    zeros.update(repeating: 0, count: zeroBiasCount(columns))
    let products = scratch.base + zeroBiasCount(columns)
    let productScratch = products + blockRows * columns
    let outputPixels = outputHeight * outputWidth
    for pixel in 0..<batch * outputPixels { (output + pixel * filters).update(from: bias, count: filters) }
    let pixels = batch * height * width
    var first = 0
    while first < pixels {
        let count = min(blockRows, pixels - first)
        dense(
            count, input + first * channels, products, inputs: channels, units: columns, weights: weights, bias: zeros,
            clamp: .none, scratch: Scratch(productScratch))
        for r in 0..<count {
            let pixel = first + r
            let (x, y, n) = (pixel % width, (pixel / width) % height, pixel / (width * height))
            // The taps kx that land inside the output: consecutive output pixels, one run of floats.
            let left = x * strides.1 - padding.left
            let (low, high) = (max(0, -left), min(kernel.1, outputWidth - left))
            guard low < high else { continue }
            for ky in 0..<kernel.0 {
                let oy = y * strides.0 - padding.top + ky
                guard oy >= 0 && oy < outputHeight else { continue }
                let target = output + ((n * outputHeight + oy) * outputWidth + left + low) * filters
                let source = products + r * columns + (ky * kernel.1 + low) * filters
                addRun(source, target, (high - low) * filters)
            }
        }
        first += count
    }
    if clamp != .none { clampRun(output, batch * outputPixels * filters, clamp, scratch: products) }
}

/// target[i] += source[i] for `count` floats, sixteen at a time.
@inline(__always)
private func addRun(_ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>, _ count: Int) {
    var i = 0
    while i + 16 <= count {
        store(load(target + i) + load(source + i), target + i)
        i += 16
    }
    while i < count {
        target[i] += source[i]
        i += 1
    }
}

/// The clamp of `finish` on `count` floats in place; the last partial vector goes through 32
/// floats of `scratch` (its first 16 zeros as the bias, the rest where it is staged).
private func clampRun(
    _ values: UnsafeMutablePointer<Float>, _ count: Int, _ clamp: Clamp, scratch: UnsafeMutablePointer<Float>
) {
    let (zeros, stage) = (scratch, scratch + 16)
    zeros.update(repeating: 0, count: 32)
    var i = 0
    while i + 16 <= count {
        store(finish(load(values + i), zeros, clamp), values + i)
        i += 16
    }
    guard i < count else { return }
    stage.update(from: values + i, count: count - i)
    storePart(finish(load(stage), zeros, clamp), values + i, count - i, stage)
}
