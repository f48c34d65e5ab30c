import CNNGraph

/// `dense` on a rank-1 input: the batch is the left operand of one matrix product with the
/// kernel [in, units]; bias and clamp fused into the store.
struct DenseKernel: LayerKernel {
    let weights: PackedWeights
    let bias: FloatBuffer?
    let epilogue: Epilogue.Clamp
    let activation: ActivationKernel?

    init(_ op: Dense, input: TensorShape, output: TensorShape, kernel: [Float], bias: [Float]?) {
        weights = PackedWeights(rows: input.channels, columns: op.units, rowMajor: kernel)
        self.bias = bias.map { PackedWeights.paddedBias($0) }
        (epilogue, activation) = ActivationKernel.split(op.activation, output: output)
    }

    var scratchCount: Int { Gemm.scratchCount(depth: weights.rows) }

    func run(_ inputs: StepInputs, into output: UnsafeMutablePointer<Float>, batch: Int, scratch: UnsafeMutablePointer<Float>) {
        Gemm.multiply(
            rows: batch, source: MatrixRows(start: inputs[0], depth: weights.rows), weights: weights,
            epilogue: Epilogue(bias: bias.map { UnsafePointer($0.base) }, clamp: epilogue),
            output: output, outputStride: weights.columns, scratch: scratch)
        activation?.run(output, count: batch * weights.columns)
    }
}

/// The rows of a row-major matrix, read in place; a last partial tile is copied so that the
/// tile never reads past the matrix.
struct MatrixRows: RowSource {
    let start: UnsafePointer<Float>
    let depth: Int

    func rows(first: Int, count: Int, scratch: UnsafeMutablePointer<Float>) -> (start: UnsafePointer<Float>, stride: Int) {
        if count == Gemm.tileRows { return (start + first * depth, depth) }
        scratch.update(from: start + first * depth, count: count * depth)
        return (UnsafePointer(scratch), depth)
    }
}
