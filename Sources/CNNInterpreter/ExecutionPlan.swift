import CNNGraph
import CNNKernels

/// An interpreter's graph laid out for a batch size: every value has a fixed place in one arena,
/// a buffer is reused once its last reader has run, and each step knows where its inputs and
/// output are. Running a plan allocates nothing.
///
/// A large batch runs in chunks, so that the arena stays within `arenaBudget` however many
/// samples an input holds (a 60,000-image test set does not need 9 GB of activations).
///
/// A plan owns mutable memory: use one per thread.
public final class ExecutionPlan {
    /// The samples `run` takes.
    public let batch: Int
    /// The samples that run through the arena at once.
    public let chunk: Int
    /// Floats of activations a chunk may take, unless one sample needs more: 64 MiB.
    public static let arenaBudget = 16 << 20
    private let interpreter: Interpreter
    private let arena: FloatStore
    private let scratch: FloatStore
    private let steps: [Step]
    private let inputOffset: Int
    private let outputOffset: Int

    private struct Step {
        let kernel: any LayerKernel
        let inputs: StepInputs
        let output: Int
    }

    /// Floats in the arena: the peak of the live activations of a chunk.
    public var arenaCount: Int { arena.count }

    init(_ interpreter: Interpreter, batch: Int) {
        let graph = interpreter.graph
        self.batch = batch
        self.interpreter = interpreter
        let buffers = interpreter.buffers
        let chunk = max(1, min(batch, 256, ExecutionPlan.arenaBudget / max(buffers.arenaCount, 1)))
        self.chunk = chunk
        arena = FloatStore(count: chunk * buffers.arenaCount)
        scratch = FloatStore(count: interpreter.kernels.map { $0?.scratchCount ?? 0 }.max() ?? 0)
        let base = arena.base
        steps = graph.nodes.indices.compactMap { index in
            interpreter.kernels[index].map { kernel in
                Step(
                    kernel: kernel,
                    inputs: StepInputs(arena: base, offsets: graph.nodes[index].inputs.map { chunk * buffers.offset(of: $0) }),
                    output: chunk * buffers.offset(of: .node(index)))
            }
        }
        inputOffset = chunk * buffers.offset(of: .input)
        outputOffset = chunk * buffers.offset(of: graph.output)
    }

    /// Runs a batch: `input` holds `batch` samples of the input shape, `output` receives `batch`
    /// samples of the output shape.
    public func run(_ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>) {
        let graph = interpreter.graph
        let inputSize = graph.inputShape.elementCount ?? 0
        let outputSize = graph.outputShape.elementCount ?? 0
        precondition(input.count == batch * inputSize, "input size")
        precondition(output.count == batch * outputSize, "output size")
        var start = 0
        while start < batch {
            let count = min(chunk, batch - start)
            (arena.base + inputOffset).update(from: input.baseAddress! + start * inputSize, count: count * inputSize)
            for step in steps {
                step.kernel.run(step.inputs, into: arena.base + step.output, batch: count, scratch: scratch.base)
            }
            (output.baseAddress! + start * outputSize).update(from: arena.base + outputOffset, count: count * outputSize)
            start += count
        }
    }
}
