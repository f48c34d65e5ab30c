import CNNFormats
import CNNGraph
import CNNKernels

/// Runs a validated graph on float32 tensors: the first of cnnc's two back ends.
///
/// Building one converts and packs every layer's weights once; `plan(batch:)` then lays out the
/// buffers for a batch size, and the plan runs batch after batch without allocating.
public struct Interpreter: Sendable {
    public let graph: Graph
    /// One kernel per node; nil for layers that only relabel their input (flatten, dropout) and
    /// for layers fused into the one before them.
    let kernels: [(any LayerKernel)?]
    /// Where each value lives in the arena, per sample.
    let buffers: BufferPlan
    /// For each conv2d or dense node that absorbed an `add`, the value it adds as it stores: the
    /// kernel's second input.
    let residuals: [Int: ValueID]

    /// Checks `tensors` (read from `weightsPath`) against the weights the graph declares and
    /// prepares the kernels.
    public init(graph: Graph, weights tensors: [String: Tensor], weightsPath: String) throws(FileFormatError) {
        let weights = try ModelWeights(graph, tensors: tensors, path: weightsPath)
        let fusion = Fusion(graph)
        self.graph = graph
        buffers = BufferPlan(graph, fusion: fusion)
        residuals = fusion.residuals
        kernels = graph.nodes.indices.map { index in
            let node = graph.nodes[index]
            guard fusion.runs(node, at: index) else { return nil }
            var layerWeights = weights.layers[index]
            if case .conv2DTranspose = node.operation {
                let channels = graph.shape(of: node.inputs[0]).channels
                layerWeights[0] = transposedConvolutionMatrix(layerWeights[0], channels: channels)
            }
            if let norm = fusion.foldedNorm[index],
                let (scale, shift) = Interpreter.scaleShift(graph.nodes[norm], in: graph, weights: weights.layers[norm])
            {
                // The tensor whose last axis is the output channel, and the bias after it:
                // separable_conv2d's depthwise kernel comes before them.
                let first: Int
                if case .separableConv2D = node.operation { first = 1 } else { first = 0 }
                let folded = foldScaleShift(
                    kernel: layerWeights[first], bias: layerWeights.count > first + 1 ? layerWeights[first + 1] : nil,
                    scale: scale, shift: shift)
                layerWeights = layerWeights.prefix(first) + [folded.kernel, folded.bias]
            }
            return Interpreter.kernel(
                for: node, in: graph, weights: layerWeights, activation: fusion.activations[index])
        }
    }

    /// The kernel that computes `node`, or nil when its output is its input. `activation`
    /// replaces the layer's own when fusion gave it another. A conv2d_transpose kernel comes as
    /// the matrix [in, kh·kw·filters] (`transposedConvolutionMatrix`).
    private static func kernel(
        for node: GraphNode, in graph: Graph, weights: [[Float]], activation: CNNGraph.Activation?
    ) -> (any LayerKernel)? {
        let input = graph.shape(of: node.inputs[0])
        // A folded batch_norm leaves a bias even where the layer had none.
        let bias = weights.count > 1 ? weights[1] : nil
        let output = node.outputShape
        switch node.operation {
        case .conv2d(var op):
            op.activation = activation ?? op.activation
            return Conv2DKernel(op, input: input, output: output, kernel: weights[0], bias: bias)
        case .depthwiseConv2D(var op):
            op.activation = activation ?? op.activation
            return DepthwiseConv2DKernel(op, input: input, output: output, kernel: weights[0], bias: bias)
        case .separableConv2D(var op):
            op.activation = activation ?? op.activation
            return SeparableConv2DKernel(op, input: input, output: output, weights: weights)
        case .conv2DTranspose(var op):
            op.activation = activation ?? op.activation
            return Conv2DTransposeKernel(op, input: input, output: output, matrix: weights[0], bias: bias)
        case .maxPool2D(let op): return Pool2DKernel(op, average: false, input: input, output: output)
        case .avgPool2D(let op): return Pool2DKernel(op, average: true, input: input, output: output)
        case .globalAvgPool2D: return GlobalPool2DKernel(average: true, input: input)
        case .globalMaxPool2D: return GlobalPool2DKernel(average: false, input: input)
        case .cropping2D(let crop): return CroppingKernel(crop: crop, input: input, output: output)
        case .upSampling2D(let op): return UpSamplingKernel(op: op, input: input, output: output)
        case .relu(let op): return ReLUKernel(op: op, elementsPerSample: output.elementCount ?? 0)
        case .rescaling, .normalization, .batchNorm:
            let (scale, shift) = scaleShift(node, in: graph, weights: weights)!
            return ScaleShiftKernel(scale: scale, shift: shift, shape: output)
        case .zeroPadding2D(let padding): return ZeroPadding2DKernel(padding: padding, input: input, output: output)
        case .dense(var op):
            op.activation = activation ?? op.activation
            return DenseKernel(op, input: input, kernel: weights[0], bias: bias)
        case .activation(let activation): return ActivationKernel(activation, shape: output)
        case .flatten, .dropout, .reshape: return nil
        case .add, .merge:
            return MergeKernel(node.operation, inputs: node.inputs.map(graph.shape(of:)), output: output)
        case .concatenate:
            return ConcatenateKernel(
                widths: node.inputs.map { graph.shape(of: $0).channels },
                pixels: output.rank == 3 ? output.height * output.width : 1)
        }
    }

    /// x · scale + shift per channel for the layers that are one (`batch_norm`, `rescaling`,
    /// `normalization`), whether they run or are folded into the layer before them.
    static func scaleShift(_ node: GraphNode, in graph: Graph, weights: [[Float]]) -> (scale: [Float], shift: [Float])?
    {
        let channels = graph.shape(of: node.inputs[0]).channels
        switch node.operation {
        case .batchNorm(let op):
            return normScaleShift(
                gamma: weights[0], beta: weights[1], mean: weights[2], variance: weights[3], epsilon: Float(op.epsilon))
        case .rescaling(let op):
            return (
                Array(repeating: Float(op.scale), count: channels), Array(repeating: Float(op.offset), count: channels)
            )
        case .normalization(let op):
            let (mean, variance) = op.inlineValues(channels: channels) ?? (weights[0], weights[1])
            return normalizationScaleShift(mean: mean, variance: variance)
        default:
            return nil
        }
    }

    /// The buffers and steps for batches of `batch` samples on `threads` threads (at least one).
    public func plan(batch: Int, threads: Int = 1) -> ExecutionPlan {
        ExecutionPlan(self, batch: batch, threads: threads)
    }

    /// The batch size of `input` (read from `path`): its shape must be the spec's input shape,
    /// with or without a leading batch axis.
    public func batchSize(of input: Tensor, path: String) throws(FileFormatError) -> Int {
        let expected = graph.inputShape.dimensions
        if input.shape == expected { return 1 }
        if input.shape.count == expected.count + 1, Array(input.shape.dropFirst()) == expected { return input.shape[0] }
        throw FileFormatError(
            path: path,
            message: "the input has shape \(input.shapeDescription), but \(graph.file) expects "
                + "[N, \(expected.map(String.init).joined(separator: ", "))] "
                + "(or \(Tensor.describe(expected)) for one sample)",
            notes: Self.shapeHint(input.shape, expected: expected).map { [$0] } ?? [])
    }

    /// What to do with NumPy when an input is a model's shape but for the channel axis: missing
    /// (grayscale images saved as [N, H, W]) or first (PyTorch's [N, C, H, W]).
    static func shapeHint(_ shape: [Int], expected: [Int]) -> String? {
        guard expected.count == 3 else { return nil }
        let (height, width, channels) = (expected[0], expected[1], expected[2])
        if channels == 1, shape.suffix(2) == [height, width], shape.count == 2 || shape.count == 3 {
            return "add the channel axis: x[..., np.newaxis] gives \(Tensor.describe(shape + [1]))"
        }
        if shape.suffix(3) == [channels, height, width], shape.count == 3 || shape.count == 4,
            channels != height || channels != width
        {
            let order = shape.count == 4 ? "0, 2, 3, 1" : "1, 2, 0"
            return "the input is channels-first; cnnc is channels-last: x.transpose(\(order)) gives "
                + Tensor.describe(shape.dropLast(3) + [height, width, channels])
        }
        return nil
    }

    /// Runs the model on `input` (read from `path`, for messages): a batch [N, H, W, C] or one
    /// sample [H, W, C], on `threads` threads (the result is the same for any number). The output is
    /// [N, …output shape].
    public func run(_ input: Tensor, path: String = "input", threads: Int = 1) throws(FileFormatError) -> Tensor {
        let batch = try batchSize(of: input, path: path)
        let plan = plan(batch: batch, threads: threads)
        var output = Tensor(zeros: [batch] + graph.outputShape.dimensions)
        input.scalars.withUnsafeBufferPointer { input in
            output.scalars.withUnsafeMutableBufferPointer { output in plan.run(input, into: output) }
        }
        return output
    }
}
