import CNNGraph

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
    private let arena: FloatBuffer
    private let scratch: FloatBuffer
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
        let perSample = Layout(interpreter, samples: 1).high
        chunk = max(1, min(batch, 256, ExecutionPlan.arenaBudget / max(perSample, 1)))
        let layout = Layout(interpreter, samples: chunk)
        arena = FloatBuffer(count: layout.high)
        scratch = FloatBuffer(count: interpreter.kernels.map { $0?.scratchCount ?? 0 }.max() ?? 0)
        let base = arena.base
        steps = graph.nodes.indices.compactMap { index in
            interpreter.kernels[index].map { kernel in
                Step(
                    kernel: kernel,
                    inputs: StepInputs(arena: base, offsets: graph.nodes[index].inputs.map(layout.offset(of:))),
                    output: layout.offset(of: .node(index)))
            }
        }
        inputOffset = layout.offset(of: .input)
        outputOffset = layout.offset(of: graph.output)
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

/// Where each value lives in the arena for a number of samples. Offsets laid out for n samples
/// serve any smaller number too: every buffer only shrinks in place.
private struct Layout {
    /// Layers that relabel their input (and fused layers) share its buffer.
    private var owner: [ValueID: ValueID] = [.input: .input]
    private var offsets: [ValueID: Int] = [:]
    private(set) var high = 0

    init(_ interpreter: Interpreter, samples: Int) {
        let graph = interpreter.graph
        for (index, node) in graph.nodes.enumerated() {
            owner[.node(index)] = interpreter.kernels[index] == nil ? owner[node.inputs[0]]! : .node(index)
        }
        // The last step that reads each buffer; the model output is read at the end.
        var lastRead: [ValueID: Int] = [:]
        for (index, node) in graph.nodes.enumerated() {
            for input in node.inputs { lastRead[owner[input]!] = index }
        }
        lastRead[owner[graph.output]!] = graph.nodes.count

        var allocator = ArenaAllocator()
        func size(_ value: ValueID) -> Int { samples * (graph.shape(of: value).elementCount ?? 0) }
        offsets[.input] = allocator.allocate(size(.input))
        var placed: [(value: ValueID, offset: Int, count: Int)] = [(.input, offsets[.input]!, size(.input))]
        for index in graph.nodes.indices where interpreter.kernels[index] != nil {
            let value = ValueID.node(index)
            // Free what no later step reads before placing this output; a step's own inputs stay.
            placed.removeAll { entry in
                guard lastRead[entry.value, default: -1] < index else { return false }
                allocator.free(entry.offset, entry.count)
                return true
            }
            offsets[value] = allocator.allocate(size(value))
            placed.append((value, offsets[value]!, size(value)))
        }
        high = allocator.high
    }

    func offset(of value: ValueID) -> Int { offsets[owner[value]!]! }
}

/// First-fit placement of buffers in one growing arena, in floats, each start 64-byte aligned.
struct ArenaAllocator {
    /// Free ranges, sorted by offset, never adjacent.
    private var holes: [(offset: Int, count: Int)] = []
    private(set) var high = 0

    mutating func allocate(_ count: Int) -> Int {
        let count = ArenaAllocator.rounded(count)
        if let index = holes.firstIndex(where: { $0.count >= count }) {
            let offset = holes[index].offset
            holes[index] = (offset + count, holes[index].count - count)
            if holes[index].count == 0 { holes.remove(at: index) }
            return offset
        }
        // Grow, absorbing a hole that ends at the top.
        if let last = holes.last, last.offset + last.count == high {
            holes.removeLast()
            high = last.offset + count
            return last.offset
        }
        defer { high += count }
        return high
    }

    mutating func free(_ offset: Int, _ count: Int) {
        let count = ArenaAllocator.rounded(count)
        let index = holes.firstIndex { $0.offset > offset } ?? holes.count
        holes.insert((offset, count), at: index)
        // Merge with the neighbours so large buffers fit into freed space.
        if index + 1 < holes.count, holes[index].offset + holes[index].count == holes[index + 1].offset {
            holes[index].count += holes.remove(at: index + 1).count
        }
        if index > 0, holes[index - 1].offset + holes[index - 1].count == holes[index].offset {
            holes[index - 1].count += holes.remove(at: index).count
        }
    }

    private static func rounded(_ count: Int) -> Int { max((count + 15) / 16 * 16, 16) }
}
