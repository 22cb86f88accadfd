import Foundation
import TestSupport
import XCTest

/// The set-up the streaming CLI tests share: a private redis-server per test (`startServer`), the one long-running
/// `cachewatch` process a test drives (`launch`: `watch`, `record` …), and a tearDown that kills that process and
/// then the server. Subclasses hold the tests; this class has none.
class RedisCLITestCase: XCTestCase {
    /// The test's private server (nil until `startServer`).
    var server: RedisServerFixture!
    /// The test's long-running `cachewatch` process, killed in tearDown (set it to nil once the test stopped it).
    var running: StreamingCLIProcess?

    /// Starts the test's server with `options` and loads `seed` (a missing redis-server skips, or fails under CI).
    func startServer(_ options: RedisServerFixture.Options = .init(), seed: [[String]] = [],
                     file: StaticString = #filePath, line: UInt = #line) throws {
        server = try RedisServerFixture.started(options, seed: seed, file: file, line: line)
    }

    /// Launches `cachewatch arguments…` as the test's long-running process.
    @discardableResult
    func launch(_ arguments: [String], environment: [String: String] = [:], withStdin: Bool = false) throws -> StreamingCLIProcess {
        let process = try StreamingCLIProcess(arguments, environment: environment, withStdin: withStdin)
        running = process
        return process
    }

    /// A document's `census` object.
    func census(_ document: [String: Any]) -> [String: Any]? { document["census"] as? [String: Any] }

    override func tearDown() {
        running?.send(SIGKILL)
        _ = running?.waitForExit(timeoutSeconds: 5)
        running = nil
        server?.teardown()
        server = nil
        super.tearDown()
    }
}
