import CNNKernels

/// Where a step reads its inputs: arena offsets fixed by the execution plan, so running a step
/// allocates nothing.
struct StepInputs {
    let arena: UnsafeMutablePointer<Float>
    let offsets: [Int]

    var count: Int { offsets.count }
    subscript(index: Int) -> UnsafePointer<Float> { UnsafePointer(arena + offsets[index]) }
}

/// A layer ready to run: weights converted and packed once, geometry resolved from the graph's
/// shapes. `run` computes a whole batch from NHWC inputs into an NHWC output.
protocol LayerKernel: Sendable {
    /// Scratch floats `run` needs (packed image patches for the convolutions), for any batch.
    var scratchCount: Int { get }
    func run(_ inputs: StepInputs, into output: UnsafeMutablePointer<Float>, batch: Int, scratch: Scratch)
}

extension LayerKernel {
    var scratchCount: Int { 0 }
}
