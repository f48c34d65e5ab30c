import Foundation

// MARK: Threads

/// A layer's scratch memory and the threads it may split its work across: `parts` regions of
/// `stride` floats, one per part, so that the parts of a split layer never share scratch. With one
/// part the layer runs on the calling thread alone.
///
/// A layer splits only what is computed independently: output rows, weight panels, bands of an
/// image or runs of elements, never a sum. Each output value is then computed by the same float
/// operations in the same order whatever the number of parts, so the result is bitwise the same.
package struct Scratch {
    package let base: UnsafeMutablePointer<Float>
    package let stride: Int
    package let parts: Int

    /// `parts` regions of `stride` floats from `base`.
    package init(_ base: UnsafeMutablePointer<Float>, stride: Int = 0, parts: Int = 1) {
        precondition(parts >= 1, "a layer runs in at least one part")
        (self.base, self.stride, self.parts) = (base, stride, parts)
    }

    /// Part `part`'s region alone, for work that runs on one thread.
    package func part(_ part: Int) -> Scratch { Scratch(base + part * stride, stride: stride, parts: 1) }
}

/// Floats a scratch region takes for a layer that needs `count`: whole 64-byte lines, so that the
/// regions of two threads never share a cache line.
package func scratchStride(_ count: Int) -> Int { (max(count, 1) + 15) / 16 * 16 }

/// Calls `body(part)` for every part in `0 ..< parts`, on up to `parts` threads at once, the calling
/// thread among them, and returns once every call has returned. One part runs on the calling
/// thread. The threads are the `WorkerPool`'s where the Synchronization module is (and the pool is
/// free), else Dispatch's (`concurrentPerform`). Which thread takes which part varies from run to
/// run; what a part computes does not.
package func inParallel(_ parts: Int, _ body: (Int) -> Void) {
    guard parts > 1 else {
        if parts == 1 { body(0) }
        return
    }
    #if canImport(Synchronization)
        if #available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *) {
            if WorkerPool.shared.run(parts, body) { return }
        }
    #endif
    withoutActuallyEscaping(body) { body in
        let shared = SharedBody(body: body)
        DispatchQueue.concurrentPerform(iterations: parts) { shared.body($0) }
    }
}

/// `inParallel`'s body, which Dispatch calls from several threads at once. Unchecked Sendable, and
/// safe: every caller's parts write disjoint memory (their own output ranges and scratch regions)
/// and read only memory no part writes, and `concurrentPerform` returns only after every call has
/// returned, so the closure never outlives `withoutActuallyEscaping`.
private struct SharedBody: @unchecked Sendable {
    let body: (Int) -> Void
}

/// Part `part` of `count` items split into `parts` ranges whose sizes differ by at most one.
func share(_ part: Int, of parts: Int, _ count: Int) -> Range<Int> {
    count * part / parts..<count * (part + 1) / parts
}

/// Part `part` of `count` floats split into `parts` runs of whole 64-byte lines (the last run
/// takes the rest), so that no two threads write the same cache line of an aligned buffer.
func run(_ part: Int, of parts: Int, _ count: Int) -> Range<Int> {
    let lines = share(part, of: parts, (count + 15) / 16)
    return min(count, lines.lowerBound * 16)..<min(count, lines.upperBound * 16)
}

/// The parts a layer splits into: at most `available`, at most `units` (pieces that cannot be
/// split further), and few enough that each has `minimum` work or more. Waking a thread costs a few
/// microseconds, so small layers run whole.
func partCount(available: Int, units: Int, work: Int, minimum: Int) -> Int {
    max(1, min(available, units, work / minimum))
}

/// Multiply-adds below which a part of a matrix product is not worth a thread: about 5 µs.
let minimumProductWork = 1 << 20

/// Floats an element-wise pass must touch per part to be worth a thread.
let minimumPassWork = 1 << 16

/// Runs a batch of `batch` samples on `scratch.parts` threads, split the same way in both back
/// ends: each thread (a lane, with an arena of its own) first takes `batch / threads` whole samples
/// with its own scratch region; the rest, fewer samples than threads, then runs in lane 0 with
/// every layer split across all the threads. `body(lane, samples, scratch)` runs samples
/// `samples` in lane `lane`'s arena. Lanes beyond the first are used only when `batch` is at least
/// the number of threads (`laneCount`).
package func splitBatch(_ batch: Int, scratch: Scratch, _ body: (Int, Range<Int>, Scratch) -> Void) {
    let threads = scratch.parts
    let each = batch / threads
    if each > 0 { inParallel(threads) { lane in body(lane, lane * each..<(lane + 1) * each, scratch.part(lane)) } }
    if each * threads < batch { body(0, each * threads..<batch, scratch) }
}

/// The lanes (arenas) `splitBatch` uses for a batch of `batch` samples on `threads` threads.
package func laneCount(batch: Int, threads: Int) -> Int { batch >= threads ? threads : 1 }
