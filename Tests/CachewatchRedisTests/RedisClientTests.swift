import CachewatchCore
@testable import CachewatchRedis
import Foundation
import TestSupport
import XCTest

/// Integration tests against a private redis-server per test.
final class RedisClientTests: XCTestCase {
    private func endpoint(_ server: RedisServerFixture, password: String? = nil, username: String? = nil,
                          commandTimeoutMilliseconds: Int = 2000) -> RedisEndpoint {
        RedisEndpoint(host: server.host, port: server.port, username: username, password: password,
                      commandTimeoutMilliseconds: commandTimeoutMilliseconds)
    }

    /// Retries `body` until it succeeds or `seconds` pass (for reconnect with backoff).
    private func eventually<T>(_ seconds: Double = 10, _ body: () throws -> T) -> T? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let value = try? body() { return value }
            usleep(50_000)
        }
        return nil
    }

    // MARK: - Connect

    func testConnectPingAndClientName() throws {
        let server = try RedisServerFixture()
        let client = RedisClient(endpoint: endpoint(server))
        XCTAssertEqual(client.state, .connecting)
        XCTAssertEqual(try client.send(.ping), .status("PONG"))
        XCTAssertEqual(client.state, .connected)
        XCTAssertTrue(server.redisCLI(["CLIENT", "LIST"]).contains("name=cachewatch"))
        let info = try client.send(.info()).stringValue ?? ""
        XCTAssertTrue(info.contains("redis_version:"))
        XCTAssertTrue(info.contains("# Keyspace") || info.contains("# Commandstats"))
    }

    func testSelectsTheDatabase() throws {
        let server = try RedisServerFixture()
        server.redisCLI(["-n", "3", "SET", "only-in-3", "x"])
        var ep = endpoint(server)
        ep.db = 3
        XCTAssertEqual(try RedisClient(endpoint: ep).send(.dbsize), .integer(1))
        XCTAssertEqual(try RedisClient(endpoint: endpoint(server)).send(.dbsize), .integer(0))
    }

    func testConnectionRefusedNamesTheAddress() {
        let port = freeLoopbackPort()
        let client = RedisClient(endpoint: RedisEndpoint(host: "127.0.0.1", port: port))
        XCTAssertThrowsError(try client.send(.ping)) { error in
            XCTAssertEqual(error as? RedisError, .connectionRefused(address: "127.0.0.1:\(port)"))
            XCTAssertTrue((error as? RedisError)?.message.contains("127.0.0.1:\(port)") ?? false)
        }
        guard case .disconnected(_, let reason) = client.state else { return XCTFail("state \(client.state)") }
        XCTAssertTrue(reason.contains("connection refused"))
    }

    func testHostNotFound() {
        let client = RedisClient(endpoint: RedisEndpoint(host: "no-such-host.invalid", port: 6379, connectTimeoutMilliseconds: 2000))
        XCTAssertThrowsError(try client.send(.ping)) { error in
            XCTAssertEqual(error as? RedisError, .hostNotFound(address: "no-such-host.invalid:6379"))
        }
    }

    // MARK: - Auth

    func testPasswordAuth() throws {
        let server = try RedisServerFixture(options: .init(password: "s3cret-pw"))
        XCTAssertEqual(try RedisClient(endpoint: endpoint(server, password: "s3cret-pw")).send(.ping), .status("PONG"))

        XCTAssertThrowsError(try RedisClient(endpoint: endpoint(server, password: "wrong-pw")).send(.ping)) { error in
            let redisError = error as? RedisError
            XCTAssertEqual(redisError, .wrongPassword(address: "127.0.0.1:\(server.port)", username: nil))
            XCTAssertFalse(redisError?.message.contains("wrong-pw") ?? true)
            XCTAssertFalse("\(error)".contains("wrong-pw"))
        }
        XCTAssertThrowsError(try RedisClient(endpoint: endpoint(server)).send(.ping)) { error in
            XCTAssertEqual(error as? RedisError, .authRequired(address: "127.0.0.1:\(server.port)"))
        }
    }

    func testACLUserWithoutInfoKeepsTheConnection() throws {
        let server = try RedisServerFixture(options: .init(aclUsers: ["reader on >reader-pw ~* +@all -info"]))
        let client = RedisClient(endpoint: endpoint(server, password: "reader-pw", username: "reader"))
        XCTAssertEqual(try client.send(.ping), .status("PONG"))
        XCTAssertThrowsError(try client.send(.info())) { error in
            XCTAssertEqual(error as? RedisError, .noPermission(address: "127.0.0.1:\(server.port)", command: "info"))
            XCTAssertTrue((error as? RedisError)?.message.contains("'info'") ?? false)
        }
        XCTAssertEqual(client.state, .connected)
        XCTAssertEqual(try client.send(.ping), .status("PONG"))
        XCTAssertEqual(server.redisCLI(["CLIENT", "LIST"]).components(separatedBy: "name=cachewatch").count - 1, 1,
                       "the denied command must not have forced a reconnect")

        XCTAssertThrowsError(try RedisClient(endpoint: endpoint(server, password: "nope", username: "reader")).send(.ping)) { error in
            XCTAssertEqual(error as? RedisError, .wrongPassword(address: "127.0.0.1:\(server.port)", username: "reader"))
        }
    }

    // MARK: - Unix socket

    func testUnixSocket() throws {
        let server = try RedisServerFixture(options: .init(unixSocket: true))
        let path = try XCTUnwrap(server.socketPath)
        let ep = RedisEndpoint(socketPath: path)
        XCTAssertEqual(ep.displayAddress, path)
        XCTAssertEqual(try RedisClient(endpoint: ep).send(.ping), .status("PONG"))
        XCTAssertThrowsError(try RedisClient(endpoint: RedisEndpoint(socketPath: path + ".missing")).send(.ping)) { error in
            // A missing socket file reads as "no such file", not "connection refused" (issue 8 §7).
            XCTAssertEqual(error as? RedisError, .socketNotFound(path: path + ".missing"))
            XCTAssertTrue((error as? RedisError)?.message.contains("no such file") == true)
        }
    }

    // MARK: - Timeout and reconnect

    func testCommandTimeoutAgainstPausedServer() throws {
        let server = try RedisServerFixture()
        let client = RedisClient(endpoint: endpoint(server, commandTimeoutMilliseconds: 300), initialBackoffSeconds: 0.05)
        XCTAssertEqual(try client.send(.ping), .status("PONG"))
        XCTAssertEqual(server.redisCLI(["CLIENT", "PAUSE", "2000", "ALL"]), "OK")
        XCTAssertThrowsError(try client.send(.ping)) { error in
            XCTAssertEqual(error as? RedisError, .timeout(address: "127.0.0.1:\(server.port)", milliseconds: 300))
        }
        guard case .disconnected = client.state else { return XCTFail("state \(client.state)") }
        server.redisCLI(["CLIENT", "UNPAUSE"])
        XCTAssertEqual(eventually { try client.send(.ping) }, .status("PONG"))
        XCTAssertEqual(client.state, .connected)
    }

    func testReconnectAfterServerKilledAndRestarted() throws {
        let server = try RedisServerFixture()
        let client = RedisClient(endpoint: endpoint(server), initialBackoffSeconds: 0.05, maxBackoffSeconds: 0.2)
        XCTAssertEqual(try client.send(.ping), .status("PONG"))
        server.kill()
        XCTAssertThrowsError(try client.send(.ping)) { error in
            XCTAssertTrue((error as? RedisError)?.isConnectionError ?? false, "\(error)")
        }
        guard case .disconnected(let since, _) = client.state else { return XCTFail("state \(client.state)") }
        XCTAssertThrowsError(try client.send(.ping))
        if case .disconnected(let stillSince, _) = client.state {
            XCTAssertEqual(stillSince, since, "the outage start must not move while retrying")
        } else {
            XCTFail("state \(client.state)")
        }
        try server.start()
        XCTAssertEqual(eventually { try client.send(.ping) }, .status("PONG"))
        XCTAssertEqual(client.state, .connected)
    }

    // MARK: - Binary keys

    func testBinaryKeysRoundTripThroughScan() throws {
        let server = try RedisServerFixture()
        let binaryKey: [UInt8] = [0x77, 0xff, 0x00, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x0a]
        var resp = Data("*5\r\n$3\r\nSET\r\n$\(binaryKey.count)\r\n".utf8)
        resp.append(contentsOf: binaryKey)
        resp.append(contentsOf: Array("\r\n$1\r\nv\r\n$2\r\nPX\r\n$7\r\n9000000\r\n".utf8))
        XCTAssertTrue(server.redisCLI(["--pipe"], stdinData: resp).contains("errors: 0"))
        server.redisCLI(["SET", "plain", "v"])

        let client = RedisClient(endpoint: endpoint(server))
        var cursor: [UInt8] = Array("0".utf8)
        var keys: [[UInt8]] = []
        repeat {
            let reply = try client.send(.scan(cursor: cursor, count: 10))
            let parts = try XCTUnwrap(reply.arrayValue)
            cursor = try XCTUnwrap(parts[0].bytesValue)
            keys += try XCTUnwrap(parts[1].arrayValue).compactMap(\.bytesValue)
        } while cursor != Array("0".utf8)
        XCTAssertEqual(Set(keys), [binaryKey, Array("plain".utf8)])
        let replies = try client.pipeline([.type(key: binaryKey), .pttl(key: binaryKey), .pttl(key: Array("plain".utf8))])
        XCTAssertEqual(replies[0], .status("string"))
        XCTAssertGreaterThan(replies[1].integerValue ?? 0, 8_000_000)
        XCTAssertEqual(replies[2], .integer(-1))
    }

    // MARK: - Pipelines

    func testPipelineReturnsErrorRepliesInPlace() throws {
        let server = try RedisServerFixture()
        server.redisCLI(["SET", "s", "v"])
        server.redisCLI(["HSET", "h", "f", "v"])
        let client = RedisClient(endpoint: endpoint(server))
        let replies = try client.pipeline([.ping, .type(key: Array("s".utf8)), .strlen(key: Array("h".utf8)),
                                           .pttl(key: Array("missing".utf8)), .dbsize])
        XCTAssertEqual(replies.count, 5)
        XCTAssertEqual(replies[0], .status("PONG"))
        XCTAssertEqual(replies[1], .status("string"))
        XCTAssertTrue(replies[2].errorText?.hasPrefix("WRONGTYPE") == true, "\(replies[2])")
        XCTAssertEqual(replies[3], .integer(-2))
        XCTAssertEqual(replies[4], .integer(2))
        XCTAssertEqual(client.state, .connected)
    }

    // MARK: - Split pipelines

    func testAPipelineCanBeReadInPartsWithTheNextOneWrittenInBetween() throws {
        let server = try RedisServerFixture()
        server.redisCLI(["SET", "a", "1", "PX", "500000"])
        server.redisCLI(["HSET", "h", "f", "v"])
        let client = RedisClient(endpoint: endpoint(server))
        let first = try client.write([.dbsize, .type(key: Array("a".utf8)), .pttl(key: Array("h".utf8))])
        XCTAssertEqual(first.replyCount, 3)
        XCTAssertEqual(try client.readReplies(count: 1, of: first), [.integer(2)])
        let second = try client.write([.type(key: Array("h".utf8)), .pttl(key: Array("missing".utf8))])
        XCTAssertEqual(try client.readReplies(count: 2, of: first), [.status("string"), .integer(-1)])
        XCTAssertEqual(try client.readReplies(count: 2, of: second), [.status("hash"), .integer(-2)])
        XCTAssertEqual(try client.send(.ping), .status("PONG"), "in sync after the split pipelines")
    }

    func testWriteRejectsAWriteCommandAndSendsNothing() throws {
        let server = try RedisServerFixture()
        let client = RedisClient(endpoint: endpoint(server))
        let write = RedisCommand(unchecked: ["SET", "written", "1"].map { Array($0.utf8) })
        XCTAssertThrowsError(try client.write([.ping, write])) { error in
            XCTAssertEqual(error as? RedisError, .commandNotAllowed(command: "SET"))
        }
        XCTAssertEqual(try client.send(.ping), .status("PONG"))
        XCTAssertEqual(server.redisCLI(["EXISTS", "written"]), "0")
    }

    func testRepliesOfALostConnectionAreNeverReadFromTheNextOne() throws {
        let server = try RedisServerFixture()
        let client = RedisClient(endpoint: endpoint(server))
        let written = try client.write([.ping])
        client.disconnect()
        XCTAssertEqual(try client.send(.dbsize), .integer(0))
        XCTAssertThrowsError(try client.readReplies(count: 1, of: written)) { error in
            XCTAssertTrue((error as? RedisError)?.isConnectionError ?? false, "\(error)")
        }
        XCTAssertEqual(try client.send(.ping), .status("PONG"))
    }
}
