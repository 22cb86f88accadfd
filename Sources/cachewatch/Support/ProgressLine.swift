import CachewatchRedis
import CachewatchCore
import Foundation

/// A one-line progress indicator on stderr (only when stderr is a terminal).
enum ProgressLine {
    private static let enabled = isatty(STDERR_FILENO) == 1

    /// Shows census progress: scanned / DBSIZE, rate, ETA.
    @Sendable static func census(_ progress: CensusProgress) {
        guard enabled else { return }
        let percent = progress.dbsizeKeys > 0 ? " \(Clamp.int((progress.fraction * 100).rounded()))%" : ""
        let eta = progress.etaSeconds.map { " ETA \(Clamp.int($0.rounded()))s" } ?? ""
        let text = "census\(percent) \(progress.scannedKeys)/\(progress.dbsizeKeys) keys \(Clamp.int(progress.keysPerSecond)) keys/s\(eta)"
        FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
    }

    /// Erases the progress line.
    static func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
