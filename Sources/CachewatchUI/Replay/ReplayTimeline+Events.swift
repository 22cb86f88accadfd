import CachewatchCore
import Foundation

extension ReplayTimeline {
    /// Collects the document's `events` and derives markers from what changed since the last document:
    /// connection lost/restored, restarts, fail-open state transitions.
    func noteEvents(_ document: JSONValue, at time: Date, error: String?) {
        for event in (document["events"] ?? .null).elements(limit: 1000) {
            guard let at = event["at"]?.text(maximumLength: 40).flatMap(RecordingTime.parseISO) else { continue }
            let kind = event["kind"]?.text(maximumLength: 40) ?? "event"
            let message = event["message"]?.text(maximumLength: 300) ?? kind
            let marker = Marker(at: at, kind: kind, message: message)
            if !documentEvents.suffix(200).contains(marker), documentEvents.count < 100_000 { documentEvents.append(marker) }
        }
        let uptime = document["server"]?["uptime_seconds"]?.count()
        let failOpen = document["logs"]?["fail_open"]?["state"]?.text(maximumLength: 8)
        let runID = document["server"]?["run_id"]?.text(maximumLength: 64)
        defer { previous = (error, uptime ?? previous?.uptime, failOpen ?? previous?.failOpen, runID ?? previous?.runID) }
        guard let previous, derivedEvents.count < 100_000 else { return }
        if let error, previous.error == nil {
            derivedEvents.append(Marker(at: time, kind: "connection-lost", message: "connection lost: \(error)"))
        } else if error == nil, previous.error != nil {
            let since = frames.dropLast().last?.errorSince
            let outage = since.map { " after \(Humanize.duration(time.timeIntervalSince($0)))" } ?? ""
            derivedEvents.append(Marker(at: time, kind: "connection-restored", message: "connection restored\(outage)"))
        }
        if let uptime, let before = previous.uptime, uptime < before {
            derivedEvents.append(Marker(at: time, kind: "restart", message: "server restarted (uptime \(uptime) s)"))
        } else if let runID, let before = previous.runID, runID != before {
            derivedEvents.append(Marker(at: time, kind: "restart", message: "server restarted (new run_id)"))
        }
        if let failOpen, let before = previous.failOpen, failOpen != before {
            derivedEvents.append(Marker(at: time, kind: "fail-open-\(failOpen)", message: "fail-open \(before) → \(failOpen)"))
        }
    }
}
