import Foundation

/// hiredis writes without MSG_NOSIGNAL: a peer that closed must give EPIPE, not kill us.
func ignoreSIGPIPE() {
    signal(SIGPIPE, SIG_IGN)
}

/// Turns SIGINT and SIGTERM into a flag the main loop polls (set from a signal handler, read anywhere).
enum StopSignal {
    nonisolated(unsafe) private static var received: sig_atomic_t = 0

    /// Installs handlers for SIGINT, SIGTERM and SIGHUP.
    static func install() {
        ignoreSIGPIPE()
        for number in [SIGINT, SIGTERM, SIGHUP] {
            signal(number) { _ in StopSignal.received = 1 }
        }
    }

    /// True once a stop signal arrived.
    static var requested: Bool { received != 0 }
}
