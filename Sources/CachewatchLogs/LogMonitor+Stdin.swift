import CachewatchCore
import Foundation

extension LogMonitor {
    // MARK: - Stdin

    func startStdin(id: Int) {
        lock.lock()
        if let index = published.firstIndex(where: { $0.id == id }) { published[index].source.followingSince = clock() }
        lock.unlock()
        let reader = StreamReader(
            descriptor: stdinDescriptor,
            onChunk: { [unowned self] bytes, splitter in
                var events: [FailOpenEvent] = []
                let arrival = clock()
                splitter.feed(bytes) { line, truncated in
                    if let event = stdinProcessor.process(line, arrival: arrival, truncated: truncated) { events.append(event) }
                    stdinProcessor.notePatternDeletion(in: line)
                    stdinProcessor.noteDeployLine(in: line, arrival: arrival)
                }
                publishStdin(id: id, events: events, detail: nil)
            },
            onEnd: { [unowned self] splitter, error in
                var events: [FailOpenEvent] = []
                let arrival = clock()
                splitter.flush { line, truncated in
                    if let event = stdinProcessor.process(line, arrival: arrival, truncated: truncated) { events.append(event) }
                    stdinProcessor.notePatternDeletion(in: line)
                    stdinProcessor.noteDeployLine(in: line, arrival: arrival)
                }
                let detail = error.map { "Reading standard input failed: \($0)." } ?? "Standard input ended (EOF); counts are final."
                publishStdin(id: id, events: events, detail: detail)
                lock.lock()
                inputEnded = true
                lock.unlock()
            })
        stdinReader = reader
        reader.start()
    }

    private func publishStdin(id: Int, events: [FailOpenEvent], detail: String?) {
        let now = clock()
        lock.lock()
        defer { lock.unlock() }
        for event in events { counter.record(event, now: now) }
        guard let index = published.firstIndex(where: { $0.id == id }) else { return }
        var entry = published[index].source
        entry.absorb(stdinProcessor, now: now)
        takeDeployLines(of: stdinProcessor, into: &entry)
        if let detail { entry.detail = detail }
        published[index].source = entry
    }
}
