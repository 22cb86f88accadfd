import CachewatchCore
import CachewatchRecording
import Foundation

/// Writes the documents of a running session to a recording (`record`, `watch --record`, the
/// dashboard's `--record`): the same document `watch` prints, one entry per interval.
final class SessionRecorder {
    let writer: RecordingWriter
    private let intervalSeconds: Double
    private var next: Date
    /// Entries written so far.
    private(set) var entries = 0

    /// Creates the file (refusing an existing one unless `force`) and writes its header.
    init(path: String, force: Bool, session: MonitoringSession, intervalSeconds: Double, now: Date = Date()) throws {
        let header = RecordingHeader(cachewatchVersion: VersionInfo.release, target: session.target(info: nil).json,
                                     startedAt: now, intervalSeconds: intervalSeconds)
        do {
            writer = try RecordingWriter(path: path, overwrite: force, header: header)
        } catch let error as RecordingError {
            throw CLIError(error.description)
        }
        self.intervalSeconds = intervalSeconds
        next = now.addingTimeInterval(intervalSeconds)
    }

    /// Appends one document and flushes it to the file.
    func record(_ document: SnapshotDocument) throws {
        do {
            try writer.append(document: document.json)
            entries += 1
        } catch let error as RecordingError {
            throw CLIError("\(error.description) Recording stopped after \(entries) entries.")
        }
    }

    /// For loops that turn faster than the interval (the dashboard): records when an interval is due.
    func recordIfDue(session: MonitoringSession, now: Date) throws {
        guard now >= next else { return }
        next = next.addingTimeInterval(intervalSeconds)
        if next < now { next = now.addingTimeInterval(intervalSeconds) }
        try record(Watch.document(session: session, now: now))
    }

    /// Writes the gzip trailer and closes the file.
    func finish() {
        writer.finish()
    }

    /// `recorded N entries (size) to FILE`.
    var summary: String {
        let kilobytes = Double(writer.bytesWritten) / 1024
        let size = kilobytes < 1024 ? String(format: "%.1f KiB", kilobytes) : String(format: "%.1f MiB", kilobytes / 1024)
        return "recorded \(entries) entries (\(size)) to \(DisplayEscaper.escape(writer.path))."
    }
}
