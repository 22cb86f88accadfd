#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A stop request raised by a signal (the executable's, not the curses module's): handlers only store a flag, and the
/// event loops (dashboard, `watch`, demo) see it, stop their workers and restore the terminal on their own thread.
///
/// Every signal a terminal or a supervisor sends to end a program is handled: SIGINT (Ctrl-C), SIGQUIT (Ctrl-\),
/// SIGTERM, SIGHUP (the SSH session or terminal went away). Without a handler SIGQUIT would bring up Swift's crash
/// reporter over the screen and leave the terminal in curses mode. Ctrl-Z (SIGTSTP) is left to ncurses, which
/// gives the terminal back before stopping and repaints on SIGCONT.
enum StopRequest {
    /// The signals that stop cachewatch cleanly.
    static let signals: [Int32] = [SIGINT, SIGQUIT, SIGTERM, SIGHUP]

    private static let flag: UnsafeMutablePointer<sig_atomic_t> = {
        let pointer = UnsafeMutablePointer<sig_atomic_t>.allocate(capacity: 1)
        pointer.pointee = 0
        return pointer
    }()
    private static let signalNumber: UnsafeMutablePointer<sig_atomic_t> = {
        let pointer = UnsafeMutablePointer<sig_atomic_t>.allocate(capacity: 1)
        pointer.pointee = 0
        return pointer
    }()

    /// Raises the flag; async-signal-safe (the storage is allocated by `installHandlers()` before any handler runs).
    static func request(signal: Int32 = 0) {
        signalNumber.pointee = signal
        flag.pointee = 1
    }

    /// True once a stop was requested.
    static var isRequested: Bool { flag.pointee != 0 }

    /// The signal that requested the stop (0 when none).
    static var requestedSignal: Int32 { signalNumber.pointee }

    /// Installs handlers that only raise the flag. Call from the main thread before the terminal is taken.
    static func installHandlers() {
        _ = flag
        _ = signalNumber
        for number in signals {
            signal(number) { received in StopRequest.request(signal: received) }
        }
    }
}
