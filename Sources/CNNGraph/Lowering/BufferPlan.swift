/// Where each value of a fused graph lives in one arena, in floats per sample: a buffer is
/// reused once its last reader has run, and values that are their input (flatten, dropout) share
/// their input's buffer, fused layers their absorber's. A residual a producer adds stays live until
/// the add it absorbed, after the producer, so it never shares the producer's output buffer. For n
/// samples every offset and size is n times the plan's, which keeps buffers apart just the same.
public struct BufferPlan: Sendable {
    private var owner: [ValueID: ValueID] = [.input: .input]
    private var offsets: [ValueID: Int] = [:]
    /// Floats one sample needs: the peak of the live buffers.
    public private(set) var arenaCount = 0

    /// Samples per pass that keep a pass's activations within about 2 MiB of cache, between 1 and
    /// 64: the generated `Workspace`'s preferred capacity and the interpreter's chunk. (Passes of
    /// 256 MNIST samples, 22 MB of activations, ran a third slower than passes of 23.)
    public var preferredCapacity: Int { max(1, min(64, (2 << 20) / max(arenaCount * 4, 1))) }

    public init(_ graph: Graph, fusion: Fusion) {
        for (index, node) in graph.nodes.enumerated() {
            // A folded layer's value is its absorber's output (an add's absorber need not be its
            // first input); flatten, reshape and dropout are their input.
            owner[.node(index)] =
                fusion.runs(node, at: index)
                ? .node(index) : fusion.absorbedBy[index].map { owner[.node($0)]! } ?? owner[node.inputs[0]]!
        }
        // The last step that reads each buffer; the model output is read at the end.
        var lastRead: [ValueID: Int] = [:]
        for (index, node) in graph.nodes.enumerated() {
            for input in node.inputs { lastRead[owner[input]!] = index }
        }
        lastRead[owner[graph.output]!] = graph.nodes.count

        var allocator = ArenaAllocator()
        func size(_ value: ValueID) -> Int { graph.shape(of: value).elementCount ?? 0 }
        offsets[.input] = allocator.allocate(size(.input))
        var placed: [(value: ValueID, offset: Int, count: Int)] = [(.input, offsets[.input]!, size(.input))]
        for (index, node) in graph.nodes.enumerated() where fusion.runs(node, at: index) {
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
        arenaCount = allocator.high
    }

    /// The offset of a value's buffer for one sample.
    public func offset(of value: ValueID) -> Int { offsets[owner[value]!]! }

    /// Whether a value is the model input itself (the input, or a flatten or dropout of it).
    public func isInput(_ value: ValueID) -> Bool { owner[value] == .input }
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
