import Foundation

// The generated file imports Synchronization (where it exists) at its top, as this file does; the
// text up to the last import (and its #endif) is not printed.
#if canImport(Synchronization)
    import Synchronization
#endif

// MARK: Worker threads

#if canImport(Synchronization)
    /// Threads that wait for the next parallel region spinning, then sleeping: one sample's layers
    /// are split one after another, tens of microseconds each, and a Dispatch worker asleep between
    /// them takes about as long to wake (ResNet-50 at batch 1 ran 12% slower on two cores through
    /// `concurrentPerform` alone). The process shares one pool; a caller that finds it taken, by
    /// another thread's batch or from inside a part, uses Dispatch instead.
    ///
    /// Each worker has a slot of its own: the caller writes the region's number into the slots of
    /// the workers it needs, they take parts from a shared counter until none is left, and each
    /// reports the number back. A worker whose slot stays unchanged for `spinTime` sleeps on its
    /// semaphore until the next region that needs it (a wake takes some 20 µs): long enough to span
    /// the gaps between the layers of a batch, short enough to cost an idle process nothing to notice.
    @available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
    final class WorkerPool: Sendable {
        static let shared = WorkerPool()

        /// Nanoseconds an idle worker checks its slot before it sleeps.
        static let spinTime: UInt64 = 1_000_000

        /// One worker thread's slot, report and semaphore.
        final class Worker: Sendable {
            /// The region it is to take part in.
            let assigned = Atomic<Int>(0)
            /// The last region it finished.
            let finished = Atomic<Int>(0)
            let sleeping = Atomic<Bool>(false)
            let wake = DispatchSemaphore(value: 0)
        }

        /// Taken by the caller of a region (or by `reserve`), which then owns the fields below.
        private let busy = Atomic<Bool>(false)
        private let nextPart = Atomic<Int>(0)
        /// The threads, the region number and the region's parts and body. Unsynchronized but
        /// safe: only the holder of `busy` writes them; a worker reads `parts` and `body` only
        /// between seeing its slot set (acquiring what the caller wrote before) and reporting back,
        /// and the caller clears `body` only after every worker it woke has reported.
        nonisolated(unsafe) private var workers: [Worker] = []
        nonisolated(unsafe) private var region = 0
        nonisolated(unsafe) private var parts = 0
        nonisolated(unsafe) private var body: ((Int) -> Void)?

        private func lock() -> Bool {
            busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        }
        private func unlock() { busy.store(false, ordering: .releasing) }

        /// Starts workers until there are `count` (at most one fewer than the cores: the caller is
        /// a thread too, and a spinning worker without a core of its own only slows the others).
        func reserve(_ count: Int) {
            let count = min(count, ProcessInfo.processInfo.activeProcessorCount - 1)
            while !lock() {}
            while workers.count < count {
                let worker = Worker()
                workers.append(worker)
                Thread.detachNewThread { [self] in work(worker) }
            }
            unlock()
        }

        /// Runs `body(part)` for every part in `0 ..< parts` on the calling thread and up to
        /// `parts - 1` workers; false, having run nothing, when the pool is taken.
        func run(_ parts: Int, _ body: (Int) -> Void) -> Bool {
            guard lock() else { return false }
            withoutActuallyEscaping(body) { body in
                let helpers = workers.prefix(parts - 1)
                region += 1
                (self.parts, self.body) = (parts, body)
                nextPart.store(0, ordering: .relaxed)
                for worker in helpers {
                    worker.assigned.store(region, ordering: .sequentiallyConsistent)
                    if worker.sleeping.load(ordering: .sequentiallyConsistent) { worker.wake.signal() }
                }
                takeParts()
                // A worker is busy with its last part, or waking: wait, letting others run after a while.
                for worker in helpers {
                    var checks = 0
                    while worker.finished.load(ordering: .acquiring) != region {
                        checks += 1
                        if checks > 1 << 16 { sched_yield() }
                    }
                }
                self.body = nil
            }
            unlock()
            return true
        }

        /// Runs parts of the current region until none is left. Its own function, so that its
        /// reference to `body` is gone when the worker reports.
        @inline(never)
        private func takeParts() {
            guard let body else { return }
            while true {
                let part = nextPart.wrappingAdd(1, ordering: .relaxed).oldValue
                guard part < parts else { return }
                body(part)
            }
        }

        private func work(_ worker: Worker) {
            var last = 0
            while true {
                var checks = 0
                var idleSince = DispatchTime.now().uptimeNanoseconds
                var region = worker.assigned.load(ordering: .acquiring)
                while region == last {
                    checks += 1
                    // The clock every 1024 checks: reading it costs some 20 ns, a check one cycle.
                    if checks & 1023 == 0 && DispatchTime.now().uptimeNanoseconds - idleSince > Self.spinTime {
                        // Announce the sleep, then look once more: the caller stores the slot before
                        // it reads `sleeping`, so one of the two sees the other.
                        worker.sleeping.store(true, ordering: .sequentiallyConsistent)
                        if worker.assigned.load(ordering: .sequentiallyConsistent) == last { worker.wake.wait() }
                        worker.sleeping.store(false, ordering: .relaxed)
                        idleSince = DispatchTime.now().uptimeNanoseconds
                    }
                    region = worker.assigned.load(ordering: .acquiring)
                }
                last = region
                takeParts()
                worker.finished.store(region, ordering: .releasing)
            }
        }
    }
#endif

/// Starts the worker threads for regions of `threads` parts ahead of time (`inParallel` would
/// otherwise run them on Dispatch's threads); an execution plan or workspace calls it when made.
package func reserveThreads(_ threads: Int) {
    #if canImport(Synchronization)
        if #available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *) {
            WorkerPool.shared.reserve(threads - 1)
        }
    #endif
}
