import CachewatchCore
import Foundation

// A large backfill counted in parallel: the follower reads the first segment through the source's state while
// `BackfillSegment`s count the later ones; their results are appended in file order (`FileFollower.countSegments`).
extension LogMonitor {
    /// Starts one `BackfillSegment` per range of `descriptor`, each with a `segmentProcessor()` of the source's
    /// processor, and returns `finish(apply)`: it waits for them all and, when `apply` and `mergeSegments` succeeds,
    /// has added their counts and events to `state` as if the source had read those lines itself.
    func countSegments(of state: UnsafeMutablePointer<LineState>, descriptor: Int32,
                       segments: [Range<Int64>]) -> (Bool) -> Bool {
        let arrival = state.pointee.arrival
        let processor = state.pointee.processor
        let segmentWorkers = segments.enumerated().map { index, range in
            var lineState = LineState(processor: processor.segmentProcessor())
            lineState.arrival = arrival
            return BackfillSegment(descriptor: descriptor, range: range, state: lineState,
                                   name: "cachewatch-backfill-\(index + 1)", shouldStop: { [worker] in worker.isStopping })
        }
        for segment in segmentWorkers { segment.start() }
        return { [self] apply in
            for segment in segmentWorkers { segment.join() }
            guard apply, !worker.isStopping, Self.mergeSegments(segmentWorkers, into: state) else { return false }
            lock.lock()
            segmentsMerged += segmentWorkers.count
            lock.unlock()
            return true
        }
    }

    /// Appends the segments' counts to `state`'s processor and their events (families named now, in file order) to its
    /// events; false, changing nothing, when a segment is incomplete or cannot be appended exactly (`canAppend`).
    static func mergeSegments(_ segments: [BackfillSegment], into state: UnsafeMutablePointer<LineState>) -> Bool {
        var merged = state.pointee.processor
        for segment in segments {
            guard segment.completed, merged.canAppend(segment.state.pointee.processor) else { return false }
            merged.append(segment.state.pointee.processor)
        }
        state.pointee.processor = merged
        for segment in segments {
            var events = segment.state.pointee.events
            merged.nameFamilies(of: &events)
            state.pointee.events.append(contentsOf: events)
        }
        return true
    }

    /// Passes the segment settings on to the file followers.
    func applySegmentSettings() {
        for source in fileSources {
            source.follower.parallelMinimumBytes = parallelBackfillMinimumBytes
            source.follower.backfillSegmentLimit = backfillSegmentLimit
        }
    }
}
