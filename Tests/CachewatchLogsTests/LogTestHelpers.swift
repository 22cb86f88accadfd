import CachewatchCore
import CachewatchLogs
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A temporary directory removed at the end of the test.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("cachewatch-logs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// Log lines in the boilerplate's `detailed` format, UTC.
enum LogLines {
    static func stamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    static func failOpen(_ date: Date = Date(), error: String = "Error 111 connecting to localhost:6379. Connection refused.") -> String {
        "\(stamp(date)) [ WARNING] src.infrastructure.cache.decorator: Cache backend not available: \(error)\n"
    }

    static func info(_ date: Date = Date(), _ text: String = "GET /api/v1/widgets 200") -> String {
        "\(stamp(date)) [    INFO] src.app.main: \(text)\n"
    }
}

/// Appends text to a file (creating it), like a logger does.
func append(_ text: String, to path: String) {
    append(Array(text.utf8), to: path)
}

func append(_ bytes: [UInt8], to path: String) {
    let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
    precondition(fd >= 0, "cannot open \(path)")
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
            precondition(written > 0)
            offset += written
        }
    }
    close(fd)
}

/// Polls `condition` every 20 ms for up to `seconds`; true when it became true.
@discardableResult
func waitUntil(seconds: Double = 5, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}

extension LogMonitor {
    /// Waits until `count` more poll cycles completed (so a later assertion sees a settled state).
    func waitForPolls(_ count: Int = 2) {
        let target = completedPolls + count
        waitUntil { completedPolls >= target }
    }

    var total: Int { report(now: Date()).failOpen.total }
}

let utcZone = TimeZone(identifier: "UTC")!

/// Runs `body` with this thread's file-system user switched to `nobody` when running as root
/// (setfsuid is per thread on Linux and drops root's file capabilities), so permission checks apply.
func asUnprivilegedFileUser(_ body: () -> Void) throws {
    guard getuid() == 0 else { return body() }
    typealias SetFSUID = @convention(c) (UInt32) -> Int32
    guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "setfsuid") else { throw XCTSkip("setfsuid is not available") }
    let setfsuid = unsafeBitCast(symbol, to: SetFSUID.self)
    _ = setfsuid(65534)
    defer { _ = setfsuid(0) }
    body()
}
