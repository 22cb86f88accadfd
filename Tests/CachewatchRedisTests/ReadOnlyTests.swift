@testable import CachewatchRedis
import Foundation
import TestSupport
import XCTest

/// Proves a write cannot be sent through the client.
final class ReadOnlyTests: XCTestCase {
    /// Write / admin / scripting commands (from `COMMAND INFO` flags `write`, `admin`, scripting).
    private let forbidden = [
        "SET", "DEL", "UNLINK", "EXPIRE", "PEXPIRE", "PERSIST", "FLUSHALL", "FLUSHDB", "RENAME", "MSET", "HSET", "LPUSH",
        "SADD", "ZADD", "INCR", "GETDEL", "GETEX", "COPY", "MOVE", "RESTORE", "MIGRATE", "EVAL", "EVALSHA", "FCALL",
        "SCRIPT", "FUNCTION", "KEYS", "MONITOR", "SHUTDOWN", "DEBUG", "SAVE", "BGSAVE", "BGREWRITEAOF", "REPLICAOF",
        "SLAVEOF", "SWAPDB", "CONFIG SET", "CONFIG REWRITE", "CONFIG RESETSTAT", "CLIENT KILL", "CLIENT PAUSE",
        "CLIENT NO-EVICT", "ACL SETUSER", "ACL DELUSER", "CLUSTER RESET", "CLUSTER FAILOVER", "CLUSTER FORGET",
        "SLOWLOG RESET", "LATENCY RESET", "MEMORY PURGE", "MODULE LOAD", "PUBLISH", "XADD", "SETEX", "APPEND",
        "SETRANGE", "GETSET", "SETNX", "PSETEX", "INCRBY",
    ]

    func testAllowListHoldsNoWriteCommand() {
        for name in forbidden {
            XCTAssertFalse(RedisCommand.allowList.contains(name), name)
            let argv = name.split(separator: " ").map { Array($0.utf8) } + [Array("k".utf8), Array("v".utf8)]
            XCTAssertFalse(RedisCommand.isAllowed(argv), name)
        }
    }

    func testWholeValuesCannotBeRead() {
        // The census looks at values only through STRLEN and a 13-byte GETRANGE; reading a whole value is never allowed.
        for name in ["GET", "MGET", "HGETALL", "LRANGE", "SMEMBERS", "ZRANGE", "DUMP", "SUBSTR"] {
            XCTAssertFalse(RedisCommand.allowList.contains(name), name)
            XCTAssertFalse(RedisCommand.isAllowed([Array(name.utf8), Array("k".utf8)]), name)
        }
        XCTAssertEqual(RedisCommand.getrange(key: Array("k".utf8), start: 0, end: 12).description, "GETRANGE k 0 12")
        XCTAssertEqual(RedisCommand.strlen(key: [0x61, 0x1b]).description, "STRLEN \"a\\x1b\"")
    }

    func testEveryPublicConstructorIsOnTheAllowList() {
        let key = Array("k".utf8)
        let all: [RedisCommand] = [
            .ping, .info(), .scan(cursor: "0", count: 10), .scan(cursor: [0x30], count: 10), .type(key: key),
            .pttl(key: key), .strlen(key: key), .getrange(key: key, start: 0, end: 12), .memoryUsage(key: key),
            .dbsize, .clientSetName("x"), .clientNoTouch(true), .clientList, .select(1),
            .auth(password: "p"), .auth(user: "u", password: "p"), .clusterShards, .clusterNodes, .clusterInfo, .readOnly,
        ]
        // The allow-list is exactly what is sent (issue 8 §5): nothing on it that no constructor builds.
        XCTAssertEqual(Set(all.map(\.name)), RedisCommand.allowList)
        for command in all {
            XCTAssertTrue(RedisCommand.isAllowed(command.arguments), command.description)
        }
        XCTAssertEqual(RedisCommand.auth(user: "u", password: "secret").description, "AUTH ****")
        XCTAssertEqual(RedisCommand.type(key: [0x61, 0x1b, 0xff]).description, "TYPE \"a\\x1b\\xff\"")
    }

    func testSendPathRejectsAWrite() throws {
        let server = try RedisServerFixture()
        let client = RedisClient(endpoint: RedisEndpoint(host: server.host, port: server.port))
        let write = RedisCommand(unchecked: ["SET", "written", "1"].map { Array($0.utf8) })
        XCTAssertThrowsError(try client.send(write)) { error in
            XCTAssertEqual(error as? RedisError, .commandNotAllowed(command: "SET"))
        }
        let sneaky = RedisCommand(unchecked: ["config", "set", "maxmemory", "1"].map { Array($0.utf8) })
        XCTAssertThrowsError(try client.pipeline([.ping, sneaky])) { error in
            XCTAssertEqual(error as? RedisError, .commandNotAllowed(command: "CONFIG SET"))
        }
        // Nothing was half-sent: the connection is in sync and the server unchanged.
        XCTAssertEqual(try client.send(.ping), .status("PONG"))
        XCTAssertEqual(server.redisCLI(["EXISTS", "written"]), "0")
        XCTAssertEqual(server.redisCLI(["CONFIG", "GET", "maxmemory"]).components(separatedBy: "\n").last, "0")
    }
}
