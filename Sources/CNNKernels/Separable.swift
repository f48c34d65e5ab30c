import Foundation

// MARK: Separable convolution

/// Output rows `separable` runs through its depthwise step at a time: enough for two row blocks
/// of the pointwise product (`2 · blockRows` pixels), at most the whole image. The band stays in
/// cache from the step that writes it to the product that reads it in place.
package func separableBandRows(outputHeight: Int, outputWidth: Int) -> Int {
    min(outputHeight, max(1, (2 * blockRows + outputWidth - 1) / outputWidth))
}

/// Floats of scratch `separable` needs, for any batch: a zero bias for the depthwise step, one band
/// of its output (in·multiplier = `channels` wide), then the pointwise product's scratch.
package func separableScratchCount(outputHeight: Int, outputWidth: Int, channels: Int) -> Int {
    let band = separableBandRows(outputHeight: outputHeight, outputWidth: outputWidth) * outputWidth * channels
    return zeroBiasCount(channels) + band + scratchCount(depth: channels)
}

/// Floats of a zero bias for `columns` outputs: whole 32-float panels, as the kernels read biases.
func zeroBiasCount(_ columns: Int) -> Int { (columns + 31) / 32 * 32 }

/// `separable_conv2d`: the depthwise step (`depthwise`, without bias or clamp) on a band of output
/// rows into scratch, then the pointwise step, a 1×1 convolution (`dense` over the band's pixels)
/// with bias and clamp fused, band after band of each image. The band's padding is the layer's
/// moved up by the rows before it, so its windows are the layer's own. The bands split across up
/// to `scratch.parts` threads, each part with the band in its own scratch region.
@inline(never)
package func separable(
    _ batch: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
    height: Int, width: Int, channels: Int, multiplier: Int, outputHeight: Int, outputWidth: Int, filters: Int,
    kernel: (Int, Int), strides: (Int, Int), dilation: (Int, Int), padding: (top: Int, left: Int),
    depthwiseWeights: UnsafePointer<Float>, pointwiseWeights: UnsafePointer<Float>, bias: UnsafePointer<Float>,
    clamp: Clamp, scratch: Scratch
) {
    let depth = channels * multiplier
    let bandRows = separableBandRows(outputHeight: outputHeight, outputWidth: outputWidth)
    let bands = (outputHeight + bandRows - 1) / bandRows
    let work = batch * outputHeight * outputWidth * depth * (kernel.0 * kernel.1 + filters)
    let parts = partCount(available: scratch.parts, units: batch * bands, work: work, minimum: minimumProductWork)
    inParallel(parts) { part in
        let zeros = scratch.base + part * scratch.stride
        zeros.update(repeating: 0, count: zeroBiasCount(depth))
        let band = zeros + zeroBiasCount(depth)
        let productScratch = Scratch(band + bandRows * outputWidth * depth)
        for item in share(part, of: parts, batch * bands) {
            let (n, y) = (item / bands, item % bands * bandRows)
            let rows = min(bandRows, outputHeight - y)
            depthwise(
                1, input + n * height * width * channels, band, height: height, width: width, channels: channels,
                multiplier: multiplier, outputHeight: rows, outputWidth: outputWidth, kernel: kernel, strides: strides,
                dilation: dilation, padding: (padding.top - y * strides.0, padding.left), weights: depthwiseWeights,
                bias: zeros, clamp: .none)
            dense(
                rows * outputWidth, band, output + (n * outputHeight + y) * outputWidth * filters, inputs: depth,
                units: filters, weights: pointwiseWeights, bias: bias, clamp: clamp, scratch: productScratch)
        }
    }
}
