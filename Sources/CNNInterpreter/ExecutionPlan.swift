import CNNGraph

/// An interpreter's graph laid out for one batch size: every value has a fixed place in one
/// arena, a buffer is reused once its last reader has run, and each step knows where its inputs
/// and output are. Running a plan allocates nothing.
///
/// A plan owns mutable memory: use one per thread.
public final class ExecutionPlan {
    public let batch: Int
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

    /// Floats in the arena: the peak of the live activations.
    public var arenaCount: Int { arena.count }

    init(_ interpreter: Interpreter, batch: Int) {
        let graph = interpreter.graph
        self.batch = batch
        self.interpreter = interpreter

        // Layers that relabel their input share its buffer: resolve each value to its owner.
        var owner: [ValueID: ValueID] = [.input: .input]
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
        var offsets: [ValueID: Int] = [:]
        func size(_ value: ValueID) -> Int { batch * (graph.shape(of: value).elementCount ?? 0) }
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
        arena = FloatBuffer(count: allocator.high)
        scratch = FloatBuffer(count: interpreter.kernels.map { $0?.scratchCount ?? 0 }.max() ?? 0)
        let base = arena.base
        steps = graph.nodes.indices.compactMap { index in
            interpreter.kernels[index].map { kernel in
                Step(
                    kernel: kernel,
                    inputs: StepInputs(arena: base, offsets: graph.nodes[index].inputs.map { offsets[owner[$0]!]! }),
                    output: offsets[.node(index)]!)
            }
        }
        inputOffset = offsets[.input]!
        outputOffset = offsets[owner[graph.output]!]!
    }

    /// Runs a batch: `input` holds `batch` samples of the input shape, `output` receives `batch`
    /// samples of the output shape.
    public func run(_ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>) {
        let graph = interpreter.graph
        precondition(input.count == batch * (graph.inputShape.elementCount ?? 0), "input size")
        precondition(output.count == batch * (graph.outputShape.elementCount ?? 0), "output size")
        guard batch > 0 else { return }
        (arena.base + inputOffset).update(from: input.baseAddress!, count: input.count)
        for step in steps {
            step.kernel.run(step.inputs, into: arena.base + step.output, batch: batch, scratch: scratch.base)
        }
        output.baseAddress!.update(from: arena.base + outputOffset, count: output.count)
    }
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
