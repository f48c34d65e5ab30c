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
            rows: rows, packer: PatchPacker(geometry: geometry, input: inputs[0]), weights: weights,
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
}

/// Packs image patches as rows for `Gemm`: row m is output pixel m of the batch, its entries the
/// input window in the kernel's [kh, kw, in] order, zeros where the window leaves the image.
struct PatchPacker: RowPacker {
    let geometry: ConvGeometry
    let input: UnsafePointer<Float>

    var depth: Int { geometry.depth }

    func pack(first: Int, count: Int, into destination: UnsafeMutablePointer<Float>) {
        let g = geometry
        let stride = Gemm.tileRows
        for r in 0..<count {
            let pixel = first + r
            let x = pixel % g.outputWidth
            let y = (pixel / g.outputWidth) % g.outputHeight
            let image = input + (pixel / (g.outputWidth * g.outputHeight)) * g.inputHeight * g.inputWidth * g.channels
            var k = 0
            for ky in 0..<g.kernelHeight {
                let iy = y * g.strideHeight - g.padTop + ky * g.dilationHeight
                for kx in 0..<g.kernelWidth {
                    let ix = x * g.strideWidth - g.padLeft + kx * g.dilationWidth
                    let target = destination + k * stride + r
                    if iy >= 0, iy < g.inputHeight, ix >= 0, ix < g.inputWidth {
                        let source = image + (iy * g.inputWidth + ix) * g.channels
                        for c in 0..<g.channels { target[c * stride] = source[c] }
                    } else {
                        for c in 0..<g.channels { target[c * stride] = 0 }
                    }
                    k += g.channels
                }
            }
        }
    }
}
