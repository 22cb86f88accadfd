@testable import CachewatchRedis
import XCTest

/// Error-reply mapping and redaction.
final class RedisErrorTests: XCTestCase {
    private let address = "10.0.0.5:6379"

    func testReplyCodesMapToCases() {
        XCTAssertEqual(RedisError.fromReply("LOADING Redis is loading the dataset in memory", command: "info", address: address), .loading(address: address))
        XCTAssertEqual(RedisError.fromReply("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.", command: "scan", address: address), .masterDown(address: address))
        XCTAssertEqual(RedisError.fromReply("NOPERM User u has no permissions to run the 'memory|usage' command", command: "memory|usage", address: address), .noPermission(address: address, command: "memory|usage"))
        XCTAssertEqual(RedisError.fromReply("NOAUTH Authentication required.", command: "ping", address: address), .authRequired(address: address))
        XCTAssertEqual(RedisError.fromReply("ERR invalid password", command: "auth", address: address), .wrongPassword(address: address, username: nil))
        XCTAssertEqual(RedisError.fromReply("ERR unknown command 'CONFIG', with args beginning with: 'GET' ", command: "config|get", address: address),
                       .serverError(address: address, command: "config|get", message: "ERR unknown command 'CONFIG', with args beginning with: 'GET' "))
        XCTAssertFalse(RedisError.loading(address: address).isConnectionError)
        XCTAssertTrue(RedisError.timeout(address: address, milliseconds: 5).isConnectionError)
    }

    func testOnlyDenialsAndUnknownCommandsAreLastingRefusals() {
        func mapped(_ text: String) -> RedisError { RedisError.fromReply(text, command: "client|list", address: address) }
        XCTAssertTrue(mapped("NOPERM User u has no permissions to run the 'client|list' command").isLastingRefusal)
        XCTAssertTrue(mapped("ERR unknown command 'CLIENT', with args beginning with: 'LIST' ").isLastingRefusal)
        XCTAssertTrue(RedisError.commandNotAllowed(command: "KEYS").isLastingRefusal)
        XCTAssertFalse(mapped("LOADING Redis is loading the dataset in memory").isLastingRefusal)
        XCTAssertFalse(mapped("MASTERDOWN Link with MASTER is down").isLastingRefusal)
        XCTAssertFalse(mapped("BUSY Redis is busy running a script.").isLastingRefusal, "a script ends")
        XCTAssertFalse(RedisError.timeout(address: address, milliseconds: 5).isLastingRefusal)
    }

    func testMaxClientsAndMissingDatabaseMapToTheirOwnSentences() {
        let full = RedisError.fromReply("ERR max number of clients reached", command: "client|setname", address: address)
        XCTAssertEqual(full, .maxClients(address: address))
        XCTAssertTrue(full.isConnectionError)
        XCTAssertEqual(full.summary, "max number of clients reached")
        XCTAssertTrue(RedisError.noSuchDatabase(address: address, db: 99).message.contains("has no database 99"))
        XCTAssertEqual(RedisError.fromContext(code: 1, text: "No such file or directory", address: "/tmp/x.sock", timeoutMilliseconds: 5),
                       .socketNotFound(path: "/tmp/x.sock"))
    }

    func testServerTextNeverCarriesThePassword() {
        let error = RedisError.fromReply("ERR weird 'hunter2' echoed\u{1b}[31m", command: "auth", address: address, password: "hunter2")
        XCTAssertFalse(error.message.contains("hunter2"))
        XCTAssertFalse(error.message.contains("\u{1b}"))
    }

    /// Found by `make fuzz` (resp target): a C1 CSI (U+009B) passed through and reached the terminal.
    func testServerTextControlsAndBidiAreEscapedNotDrawn() {
        let error = RedisError.fromReply("ERR \u{1b}]0;title\u{07} \u{9b}2J \u{202e}evil\nx", command: "info", address: address)
        for scalar in error.message.unicodeScalars {
            XCTAssertFalse(scalar.value < 0x20 || (0x7F..<0xA0).contains(scalar.value) || scalar.value == 0x202E,
                           "U+\(String(scalar.value, radix: 16)) in \(error.message)")
        }
        XCTAssertTrue(error.message.contains("\\x1b]0;title\\x07"), error.message)
        XCTAssertTrue(error.message.contains("\\u{9b}2J"), error.message)
    }

    func testEveryMessageNamesTheAddressInOneSentence() {
        let all: [RedisError] = [
            .connectionRefused(address: address), .hostNotFound(address: address), .timeout(address: address, milliseconds: 300),
            .authRequired(address: address), .wrongPassword(address: address, username: "bob"), .noPermission(address: address, command: "info"),
            .loading(address: address), .masterDown(address: address), .protocolError(address: address, detail: "bad"),
            .serverError(address: address, command: "x", message: "ERR x"), .connectionClosed(address: address, detail: "eof"),
            .maxClients(address: address), .noSuchDatabase(address: address, db: 99),
        ]
        for error in all {
            XCTAssertTrue(error.message.contains(address), error.message)
            XCTAssertTrue(error.message.hasSuffix("."), error.message)
            XCTAssertFalse(error.message.contains("\n"))
        }
    }

    func testEndpointDisplayAddressHidesThePassword() {
        let ep = RedisEndpoint(host: "cache", port: 6380, username: "u", password: "pw-123")
        XCTAssertEqual(ep.displayAddress, "cache:6380")
        XCTAssertEqual(RedisEndpoint(host: "::1", port: 6379).displayAddress, "[::1]:6379")
    }
}
