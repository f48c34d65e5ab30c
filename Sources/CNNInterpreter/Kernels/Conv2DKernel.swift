import CNNGraph

/// `conv2d` as a matrix product: each output pixel is a row of image patches (im2col, packed a
/// few rows at a time, never materialized whole), the kernel [kh, kw, in, out] is the [K, out]
/// right operand, bias and clamp are fused into the store.
struct Conv2DKernel: LayerKernel {
    let geometry: ConvGeometry
    let weights: PackedWeights
    let bias: FloatBuffer?
    let epilogue: Epilogue.Clamp
    /// An activation the store cannot fuse, run over the output afterwards.
    let activation: ActivationKernel?

    init(_ op: Conv2D, input: TensorShape, output: TensorShape, kernel: [Float], bias: [Float]?) {
        geometry = ConvGeometry(window: op.window, input: input, output: output)
        weights = PackedWeights(rows: geometry.depth, columns: op.filters, rowMajor: kernel)
        self.bias = bias.map { PackedWeights.paddedBias($0) }
        (epilogue, activation) = ActivationKernel.split(op.activation, output: output)
    }

    var scratchCount: Int { Gemm.scratchCount(depth: geometry.depth) }

    func run(_ inputs: StepInputs, into output: UnsafeMutablePointer<Float>, batch: Int, scratch: UnsafeMutablePointer<Float>) {
        let rows = batch * geometry.outputHeight * geometry.outputWidth
        Gemm.multiply(
            rows: rows, source: PatchSource(geometry: geometry, input: inputs[0]), weights: weights,
            epilogue: Epilogue(bias: bias.map { UnsafePointer($0.base) }, clamp: epilogue),
            output: output, outputStride: weights.columns, scratch: scratch)
        activation?.run(output, count: rows * weights.columns)
    }
}

/// Sizes of a windowed layer (convolution or pooling) with its padding resolved.
struct ConvGeometry {
    let inputHeight, inputWidth, channels: Int
    let outputHeight, outputWidth: Int
    let kernelHeight, kernelWidth: Int
    let strideHeight, strideWidth: Int
    let dilationHeight, dilationWidth: Int
    let padTop, padLeft: Int

    init(window: Window2D, input: TensorShape, output: TensorShape) {
        (inputHeight, inputWidth, channels) = (input.height, input.width, input.channels)
        (outputHeight, outputWidth) = (output.height, output.width)
        (kernelHeight, kernelWidth) = (window.kernel.height, window.kernel.width)
        (strideHeight, strideWidth) = (window.strides.height, window.strides.width)
        (dilationHeight, dilationWidth) = (window.dilation.height, window.dilation.width)
        let padding = window.implicitPadding(input: Size2D(input.height, input.width))
        (padTop, padLeft) = (padding.top, padding.left)
    }

    /// The length of a patch: kh · kw · in.
    var depth: Int { kernelHeight * kernelWidth * channels }

    /// A 1×1 window that visits every pixel: the input is already the patch matrix.
    var isPointwise: Bool {
        kernelHeight == 1 && kernelWidth == 1 && strideHeight == 1 && strideWidth == 1
            && outputHeight == inputHeight && outputWidth == inputWidth
    }
}

/// Image patches as rows for `Gemm`: row m is output pixel m of the batch, its entries the input
/// window in the kernel's [kh, kw, in] order, zeros where the window leaves the image. A 1×1
/// window with stride 1 and no padding reads the input in place; otherwise a tile's patches are
/// copied, one contiguous run of channels (or of kw · channels) at a time.
struct PatchSource: RowSource {
    let geometry: ConvGeometry
    let input: UnsafePointer<Float>

    var depth: Int { geometry.depth }

    func rows(first: Int, count: Int, scratch: UnsafeMutablePointer<Float>) -> (start: UnsafePointer<Float>, stride: Int) {
        let g = geometry
        if g.isPointwise && count == Gemm.tileRows { return (input + first * g.channels, g.channels) }
        let depth = g.depth
        let runWidth = g.dilationWidth == 1 ? g.kernelWidth * g.channels : g.channels
        for r in 0..<count {
            let pixel = first + r
            let x = pixel % g.outputWidth
            let y = (pixel / g.outputWidth) % g.outputHeight
            let image = input + (pixel / (g.outputWidth * g.outputHeight)) * g.inputHeight * g.inputWidth * g.channels
            let left = x * g.strideWidth - g.padLeft
            let inside = left >= 0 && left + (g.kernelWidth - 1) * g.dilationWidth < g.inputWidth
            var target = scratch + r * depth
            for ky in 0..<g.kernelHeight {
                let iy = y * g.strideHeight - g.padTop + ky * g.dilationHeight
                if iy < 0 || iy >= g.inputHeight {
                    target.update(repeating: 0, count: g.kernelWidth * g.channels)
                } else if inside && runWidth > g.channels {
                    target.update(from: image + (iy * g.inputWidth + left) * g.channels, count: runWidth)
                } else {
                    for kx in 0..<g.kernelWidth {
                        let ix = left + kx * g.dilationWidth
                        if ix >= 0 && ix < g.inputWidth {
                            (target + kx * g.channels).update(from: image + (iy * g.inputWidth + ix) * g.channels, count: g.channels)
                        } else {
                            (target + kx * g.channels).update(repeating: 0, count: g.channels)
                        }
                    }
                }
                target += g.kernelWidth * g.channels
            }
        }
        return (UnsafePointer(scratch), depth)
    }
}
