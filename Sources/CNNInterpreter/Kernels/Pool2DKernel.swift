import CNNGraph

/// `max_pool2d` and `avg_pool2d`. Cells of a `same` window outside the input are skipped: they
/// never win a max, and an average divides by the cells inside only, as Keras does.
struct Pool2DKernel: LayerKernel {
    enum Reduction {
        case maximum, average
    }

    let geometry: ConvGeometry
    let reduction: Reduction

    init(_ op: Pool2D, _ reduction: Reduction, input: TensorShape, output: TensorShape) {
        geometry = ConvGeometry(window: op.window, input: input, output: output)
        self.reduction = reduction
    }

    func run(_ inputs: StepInputs, into output: UnsafeMutablePointer<Float>, batch: Int, scratch: UnsafeMutablePointer<Float>) {
        let g = geometry
        let channels = g.channels
        for n in 0..<batch {
            let input = inputs[0] + n * g.inputHeight * g.inputWidth * channels
            for y in 0..<g.outputHeight {
                let top = max(y * g.strideHeight - g.padTop, 0)
                let bottom = min(y * g.strideHeight - g.padTop + g.kernelHeight, g.inputHeight)
                for x in 0..<g.outputWidth {
                    let left = max(x * g.strideWidth - g.padLeft, 0)
                    let right = min(x * g.strideWidth - g.padLeft + g.kernelWidth, g.inputWidth)
                    let row = output + ((n * g.outputHeight + y) * g.outputWidth + x) * channels
                    let first = input + (top * g.inputWidth + left) * channels
                    row.update(from: first, count: channels)
                    for iy in top..<bottom {
                        for ix in left..<right where iy != top || ix != left {
                            let source = input + (iy * g.inputWidth + ix) * channels
                            switch reduction {
                            case .maximum: for c in 0..<channels { row[c] = max(row[c], source[c]) }
                            case .average: for c in 0..<channels { row[c] += source[c] }
                            }
                        }
                    }
                    if reduction == .average {
                        let scale = 1 / Float((bottom - top) * (right - left))
                        for c in 0..<channels { row[c] *= scale }
                    }
                }
            }
        }
    }
}

/// `global_avg_pool2d` and `global_max_pool2d`: one value per channel over the whole image.
struct GlobalPool2DKernel: LayerKernel {
    let pixels: Int
    let channels: Int
    let reduction: Pool2DKernel.Reduction

    init(_ reduction: Pool2DKernel.Reduction, input: TensorShape) {
        pixels = input.height * input.width
        channels = input.channels
        self.reduction = reduction
    }

    func run(_ inputs: StepInputs, into output: UnsafeMutablePointer<Float>, batch: Int, scratch: UnsafeMutablePointer<Float>) {
        for n in 0..<batch {
            let input = inputs[0] + n * pixels * channels
            let row = output + n * channels
            row.update(from: input, count: channels)
            for p in 1..<max(pixels, 1) {
                let source = input + p * channels
                switch reduction {
                case .maximum: for c in 0..<channels { row[c] = max(row[c], source[c]) }
                case .average: for c in 0..<channels { row[c] += source[c] }
                }
            }
            if reduction == .average {
                let scale = 1 / Float(pixels)
                for c in 0..<channels { row[c] *= scale }
            }
        }
    }
}
