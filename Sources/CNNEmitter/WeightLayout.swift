import CNNGraph
import CNNKernels

/// Where each layer's weights go in the generated model's one weights buffer, in floats: packed
/// kernels in panels of 32 columns, biases padded to whole panels, all starts 64-byte aligned.
/// The offsets are constants in the generated source.
struct WeightLayout {
    /// A layer's regions: the kernel (or a per-channel scale) and the bias (or shift).
    struct Regions {
        var kernel: Int
        var bias: Int
        /// separable_conv2d's depthwise kernel (its `kernel` is the pointwise one).
        var depthwise: Int?
    }

    private(set) var regions: [Int: Regions] = [:]
    private(set) var count = 0

    init(_ graph: Graph, fusion: Fusion) {
        for (index, node) in graph.nodes.enumerated() where fusion.runs(node, at: index) {
            let input = graph.shape(of: node.inputs[0])
            switch node.operation {
            case .conv2d(let op):
                let depth = op.window.kernel.height * op.window.kernel.width * input.channels
                let kernel =
                    usesWinograd(op, input: input, output: node.outputShape)
                    ? winogradPackedCount(channels: input.channels, filters: op.filters)
                    : WeightLayout.panels(op.filters) * 32 * depth
                place(index, kernel: kernel, bias: op.filters)
            case .depthwiseConv2D(let op):
                let channels = input.channels * op.depthMultiplier
                place(index, kernel: op.window.kernel.height * op.window.kernel.width * channels, bias: channels)
            case .separableConv2D(let op):
                let channels = op.intermediateChannels(input)
                let depthwise = op.window.kernel.height * op.window.kernel.width * channels
                place(
                    index, kernel: WeightLayout.panels(op.filters) * 32 * channels, bias: op.filters,
                    depthwise: depthwise)
            case .conv2DTranspose(let op):
                let columns = op.kernel.height * op.kernel.width * op.filters
                place(index, kernel: WeightLayout.panels(columns) * 32 * input.channels, bias: op.filters)
            case .dense(let op):
                place(index, kernel: WeightLayout.panels(op.units) * 32 * input.channels, bias: op.units)
            case .batchNorm, .rescaling, .normalization:
                place(index, kernel: input.channels, bias: input.channels)
            case .maxPool2D, .avgPool2D, .globalAvgPool2D, .globalMaxPool2D, .zeroPadding2D, .flatten, .activation,
                .dropout, .add, .concatenate, .relu, .reshape, .cropping2D, .upSampling2D, .merge:
                break
            }
        }
    }

    /// Panels of 32 columns that hold `columns` columns.
    static func panels(_ columns: Int) -> Int { (columns + 31) / 32 }

    private mutating func place(_ index: Int, kernel: Int, bias: Int, depthwise: Int? = nil) {
        let depthwiseOffset = count
        if let depthwise { count += WeightLayout.aligned(depthwise) }
        let kernelOffset = count
        count += WeightLayout.aligned(kernel)
        let biasOffset = count
        // Vector reads of the bias go up to a whole panel past its start.
        count += WeightLayout.panels(bias) * 32
        regions[index] = Regions(
            kernel: kernelOffset, bias: biasOffset, depthwise: depthwise.map { _ in depthwiseOffset })
    }

    private static func aligned(_ count: Int) -> Int { (count + 15) / 16 * 16 }
}

/// Whether the kernels compute `op` by Winograd's transform (`CNNKernels.usesWinograd`, which
/// `convolutionMethod` asks first, whatever the residual), whose kernel is packed
/// (`packWinograd`), sized and given scratch differently.
func usesWinograd(_ op: Conv2D, input: TensorShape, output: TensorShape) -> Bool {
    convolutionMethod(op, input: input, output: output, residual: false) == .winograd
}

/// The kernel the interpreter's `convolution` takes for `op`, which the generated code calls itself.
func convolutionMethod(_ op: Conv2D, input: TensorShape, output: TensorShape, residual: Bool) -> ConvolutionMethod {
    CNNKernels.convolutionMethod(
        height: input.height, width: input.width, channels: input.channels, outputHeight: output.height,
        outputWidth: output.width, filters: op.filters, kernel: (op.window.kernel.height, op.window.kernel.width),
        strides: (op.window.strides.height, op.window.strides.width),
        dilation: (op.window.dilation.height, op.window.dilation.width), residual: residual)
}
