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
            rows: batch, packer: RowsPacker(rows: inputs[0], depth: weights.rows), weights: weights,
            epilogue: Epilogue(bias: bias.map { UnsafePointer($0.base) }, clamp: epilogue),
            output: output, outputStride: weights.columns, scratch: scratch)
        activation?.run(output, count: batch * weights.columns)
    }
}

/// Packs the rows of a row-major matrix for `Gemm`.
struct RowsPacker: RowPacker {
    let rows: UnsafePointer<Float>
    let depth: Int

    func pack(first: Int, count: Int, into destination: UnsafeMutablePointer<Float>) {
        for r in 0..<count {
            let source = rows + (first + r) * depth
            for k in 0..<depth { destination[k * Gemm.tileRows + r] = source[k] }
        }
    }
}
