import CNNGraph
import CNNKernels

/// An interpreter's graph laid out for a batch size and a number of threads: every value has a
/// fixed place in an arena, a buffer is reused once its last reader has run, and each step knows
/// where its inputs and output are. Running a plan allocates nothing.
///
/// A batch runs in chunks of `BufferPlan.preferredCapacity` samples, whose activations stay within
/// about 2 MiB of cache however many samples an input holds (a 60,000-image test set does not need
/// 9 GB of activations).
///
/// On several threads each thread has an arena of its own (a lane) and takes whole samples; the
/// samples left over, fewer than the threads, run in the first lane with the large layers split
/// across the threads (`splitBatch`). The weights are shared. The result is bitwise the same for
/// any number of threads: each output value is computed by the same operations in the same order.
///
/// A plan owns mutable memory: one `run` at a time.
public final class ExecutionPlan {
    /// The samples `run` takes.
    public let batch: Int
    /// The threads `run` uses.
    public let threads: Int
    /// The samples that run through a lane's arena at once.
    public let chunk: Int
    private let interpreter: Interpreter
    private let lanes: [Lane]
    /// One region per thread, `stride` floats apart.
    private let scratch: FloatStore
    private let scratchStride: Int

    /// One thread's arena and the steps that run in it.
    private struct Lane {
        let arena: FloatStore
        let steps: [Step]
        let inputOffset: Int
        let outputOffset: Int
    }

    private struct Step {
        /// The graph node the step computes.
        let node: Int
        let kernel: any LayerKernel
        let inputs: StepInputs
        let output: Int
    }

    /// Floats in one lane's arena: the peak of the live activations of a chunk.
    public var arenaCount: Int { lanes[0].arena.count }

    init(_ interpreter: Interpreter, batch: Int, threads: Int) {
        precondition(threads >= 1, "a plan runs on at least one thread")
        let graph = interpreter.graph
        self.batch = batch
        self.threads = threads
        self.interpreter = interpreter
        let buffers = interpreter.buffers
        let laneCount = CNNKernels.laneCount(batch: batch, threads: threads)
        let samples = (batch + laneCount - 1) / laneCount
        let chunk = max(1, min(samples, buffers.preferredCapacity))
        self.chunk = chunk
        scratchStride = CNNKernels.scratchStride(interpreter.kernels.map { $0?.scratchCount ?? 0 }.max() ?? 0)
        scratch = FloatStore(count: threads * scratchStride)
        reserveThreads(threads)
        lanes = (0..<laneCount).map { _ in
            let arena = FloatStore(count: chunk * buffers.arenaCount)
            let steps = graph.nodes.indices.compactMap { index in
                interpreter.kernels[index].map { kernel in
                    Step(
                        node: index,
                        kernel: kernel,
                        // A folded residual is a convolution's or dense layer's second input.
                        inputs: StepInputs(
                            arena: arena.base,
                            offsets: (graph.nodes[index].inputs + [interpreter.residuals[index]].compactMap { $0 }).map
                            {
                                chunk * buffers.offset(of: $0)
                            }),
                        output: chunk * buffers.offset(of: .node(index)))
                }
            }
            return Lane(
                arena: arena, steps: steps, inputOffset: chunk * buffers.offset(of: .input),
                outputOffset: chunk * buffers.offset(of: graph.output))
        }
    }

    /// Runs a batch: `input` holds `batch` samples of the input shape, `output` receives `batch`
    /// samples of the output shape.
    public func run(_ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>) {
        run(input, into: output, layerTimes: nil)
    }

    /// The graph nodes that run as steps of their own, in the order they run; the others are
    /// folded into the layer before them or are an input's view.
    public var steppedNodes: [Int] { lanes[0].steps.map(\.node) }

    /// Runs a batch like `run(_:into:)`, and adds the time each step takes, in nanoseconds, to
    /// `layerTimes[node]` (one entry per graph node). The times are the first lane's: on several
    /// threads with a lane each, what one thread spends on its samples' layers; with the layers
    /// split, the wall time of each. Reading the clock twice a layer costs well under a microsecond.
    public func run(
        _ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>,
        layerTimes: UnsafeMutableBufferPointer<UInt64>?
    ) {
        let graph = interpreter.graph
        let inputSize = graph.inputShape.elementCount ?? 0
        let outputSize = graph.outputShape.elementCount ?? 0
        precondition(input.count == batch * inputSize, "input size")
        precondition(output.count == batch * outputSize, "output size")
        let (input, output) = (input.baseAddress!, output.baseAddress!)
        splitBatch(batch, scratch: Scratch(scratch.base, stride: scratchStride, parts: threads)) {
            lane, samples, scratch in
            let layerTimes = lane == 0 ? layerTimes : nil
            let lane = lanes[lane]
            var start = samples.lowerBound
            while start < samples.upperBound {
                let count = min(chunk, samples.upperBound - start)
                (lane.arena.base + lane.inputOffset).update(from: input + start * inputSize, count: count * inputSize)
                for step in lane.steps {
                    let start = layerTimes.map { _ in ContinuousClock.now }
                    step.kernel.run(step.inputs, into: lane.arena.base + step.output, batch: count, scratch: scratch)
                    if let layerTimes, let start { layerTimes[step.node] += nanoseconds(ContinuousClock.now - start) }
                }
                (output + start * outputSize).update(
                    from: lane.arena.base + lane.outputOffset, count: count * outputSize)
                start += count
            }
        }
    }
}

/// Whole nanoseconds of a duration.
private func nanoseconds(_ duration: Duration) -> UInt64 {
    let (seconds, attoseconds) = duration.components
    return UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
}
