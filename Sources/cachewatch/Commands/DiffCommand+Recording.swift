import CachewatchCore
import CachewatchRecording
import Foundation

/// `diff FILE@TIME`: a document picked from a recording.
extension Diff {
    /// `(path, time)` when the argument is `PATH@TIME` and not itself an existing file.
    static func recordingReference(_ argument: String) -> (String, String)? {
        guard argument != "-", !FileManager.default.fileExists(atPath: argument), let at = argument.lastIndex(of: "@") else {
            return nil
        }
        let path = String(argument[..<at])
        let time = String(argument[argument.index(after: at)...])
        guard !path.isEmpty, !time.isEmpty else { return nil }
        return (path, time)
    }

    /// The recorded document nearest to `time`, summarised as a snapshot document.
    static func recordedSummary(_ path: String, time: String) throws -> SnapshotSummary {
        do {
            let (recorded, reading) = try RecordingReader.nearest(path: path, time: time)
            if let problem = reading.problem { FileHandle.standardError.write(Data("cachewatch: \(problem)\n".utf8)) }
            let name = "\(displayName(path))@\(ISOTime.format(recorded.takenAt))"
            return try SnapshotSummary.decode(Data(recorded.document.serialized().utf8), name: name)
        } catch let error as RecordingError {
            throw CLIError(error.description)
        } catch let error as SnapshotSummary.DecodeError {
            throw CLIError(error.description)
        }
    }
}
