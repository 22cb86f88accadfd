import CachewatchCore
import Foundation

extension ReplayTimeline {
    /// Collects the document's own `events` (each document carries the timeline so far: the newest version of each
    /// event is kept) and feeds the document to the core `EventDetector` (through `RecordedEventDeriver`), whose
    /// events are used when no document carried any.
    func noteEvents(_ document: JSONValue, at time: Date, census: CensusReport?) {
        let recorded = document["events"] ?? .null
        if case .array = recorded, recorded != lastEventsDocument {
            lastEventsDocument = recorded
            mergeDocumentEvents(DocumentModels.events(recorded))
        }
        if derivedEventCount < Self.maximumEvents {
            deriver.observe(document: document, at: time, census: census)
            derivedEventCount = deriver.events.count
        }
    }

    /// Adds events not seen yet and replaces the ones seen with their newer version (a deploy burst that grew, a
    /// key drop that learned which families shrank). Events are matched by time, kind and order among equals.
    private func mergeDocumentEvents(_ events: [Event]) {
        var seen: [String: Int] = [:]
        for event in events {
            let base = "\(event.at.timeIntervalSince1970)|\(event.kind.rawValue)"
            let occurrence = seen[base, default: 0]
            seen[base] = occurrence + 1
            let key = base + "|\(occurrence)"
            if let index = documentEventIndex[key] {
                documentEvents[index] = event
            } else if documentEvents.count < Self.maximumEvents {
                documentEventIndex[key] = documentEvents.count
                documentEvents.append(event)
            }
        }
    }

    /// The timeline up to frame `index`, newest first (the events pane at the cursor).
    func events(upTo index: Int) -> [Event] {
        guard frames.indices.contains(index) else { return [] }
        let time = frames[index].takenAt
        return events.filter { $0.at <= time }.reversed()
    }
}
