@testable import CachewatchRedis
import XCTest

/// The census's pipelines are formatted by `RESPEncoder`, not hiredis: the bytes must be exactly RESP.
final class RESPEncoderTests: XCTestCase {
    private func encoded(_ commands: [RedisCommand]) -> String {
        let encoder = RESPEncoder()
        for command in commands { encoder.append(command.arguments) }
        return String(decoding: encoder.bytes, as: UTF8.self)
    }

    func testCommandsAreEncodedAsRESPArraysOfBulkStrings() {
        XCTAssertEqual(encoded([.pttl(key: Array("widget:1".utf8))]), "*2\r\n$4\r\nPTTL\r\n$8\r\nwidget:1\r\n")
        XCTAssertEqual(encoded([.memoryUsage(key: Array("k".utf8))]), "*5\r\n$6\r\nMEMORY\r\n$5\r\nUSAGE\r\n$1\r\nk\r\n$7\r\nSAMPLES\r\n$1\r\n0\r\n")
        XCTAssertTrue(encoded([.memoryUsage(key: Array("k".utf8), samples: 5)]).hasSuffix("$7\r\nSAMPLES\r\n$1\r\n5\r\n"))
        XCTAssertEqual(encoded([.memoryUsageWithDefaultSamples(key: Array("k".utf8))]), "*3\r\n$6\r\nMEMORY\r\n$5\r\nUSAGE\r\n$1\r\nk\r\n")
        XCTAssertEqual(encoded([.scan(cursor: "1234567890", count: 1000)]),
                       "*4\r\n$4\r\nSCAN\r\n$10\r\n1234567890\r\n$5\r\nCOUNT\r\n$4\r\n1000\r\n")
    }

    func testBinaryEmptyAndLongKeysKeepTheirExactLength() {
        let binary: [UInt8] = [0, 13, 10, 0xFF]
        let encoder = RESPEncoder()
        encoder.append(RedisCommand.type(key: binary).arguments)
        XCTAssertEqual(encoder.bytes, Array("*2\r\n$4\r\nTYPE\r\n$4\r\n".utf8) + binary + [13, 10])
        XCTAssertEqual(encoded([.type(key: [])]), "*2\r\n$4\r\nTYPE\r\n$0\r\n\r\n")
        let long = [UInt8](repeating: 0x61, count: 123_456)
        encoder.reset()
        encoder.append(RedisCommand.pttl(key: long).arguments)
        XCTAssertEqual(Array(encoder.bytes.prefix(20)), Array("*2\r\n$4\r\nPTTL\r\n$123456\r\n".utf8.prefix(20)))
        XCTAssertEqual(encoder.bytes.count, 14 + 9 + 123_456 + 2)
    }

    func testAPipelineIsTheConcatenationAndResetEmpties() {
        let commands: [RedisCommand] = [.type(key: Array("a".utf8)), .pttl(key: Array("a".utf8)), .ping]
        XCTAssertEqual(encoded(commands), "*2\r\n$4\r\nTYPE\r\n$1\r\na\r\n*2\r\n$4\r\nPTTL\r\n$1\r\na\r\n*1\r\n$4\r\nPING\r\n")
        let encoder = RESPEncoder()
        encoder.append(RedisCommand.ping.arguments)
        encoder.reset()
        XCTAssertTrue(encoder.bytes.isEmpty)
    }

    func testTheAllowListFastPathsAgreeWithTheSlowPath() {
        XCTAssertTrue(RedisCommand.isAllowed(RedisCommand.memoryUsage(key: Array("k".utf8)).arguments))
        XCTAssertTrue(RedisCommand.isAllowed(RedisCommand.memoryUsageWithDefaultSamples(key: Array("k".utf8)).arguments))
        XCTAssertTrue(RedisCommand.isAllowed([Array("memory".utf8), Array("usage".utf8), Array("k".utf8)]))
        XCTAssertTrue(RedisCommand.isAllowed(RedisCommand.clientNoTouch(true).arguments))
        XCTAssertFalse(RedisCommand.isAllowed([Array("MEMORY".utf8), Array("PURGE".utf8)]))
        XCTAssertFalse(RedisCommand.isAllowed([Array("MEMORY".utf8)]))
        XCTAssertFalse(RedisCommand.isAllowed([Array("CLIENT".utf8), Array("KILL".utf8), Array("ID".utf8), Array("1".utf8)]))
    }
}
