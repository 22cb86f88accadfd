#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A stop request that a signal handler may raise (SIGTERM, SIGHUP); the event loop checks it and calls
/// `CursesTerminal.restore()` on its own thread. Call `prepare()` once before installing the handlers.
public enum TerminalStop {
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

    /// Allocates the flag (so the signal path only stores to memory).
    public static func prepare() {
        _ = flag
        _ = signalNumber
    }

    /// Raises the flag; async-signal-safe after `prepare()`.
    public static func request(signal: Int32 = 0) {
        signalNumber.pointee = signal
        flag.pointee = 1
    }

    /// True once `request` ran.
    public static var isRequested: Bool { flag.pointee != 0 }

    /// The signal passed to `request` (0 when none).
    public static var requestedSignal: Int32 { signalNumber.pointee }

    /// Installs handlers that only raise the flag for SIGINT, SIGTERM and SIGHUP (the loop then quits and restores the
    /// terminal within one `readKey` timeout). Call from the main thread before `CursesTerminal.start()`.
    public static func installHandlers(signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]) {
        prepare()
        for number in signals {
            signal(number) { received in TerminalStop.request(signal: received) }
        }
    }

    /// Clears the flag (tests).
    public static func reset() {
        flag.pointee = 0
        signalNumber.pointee = 0
    }
}
