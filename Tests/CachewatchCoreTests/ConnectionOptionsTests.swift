import Foundation
import XCTest
@testable import CachewatchCore

final class ConnectionOptionsTests: XCTestCase {
    private func resolve(_ flags: ConnectionFlags = ConnectionFlags(), env: [String: String] = [:],
                         dotEnv: [String: String] = [:]) throws -> ConnectionOptions {
        try ConnectionOptions.resolve(flags: flags, environment: env, dotEnv: dotEnv)
    }

    private func error(_ flags: ConnectionFlags = ConnectionFlags(), env: [String: String] = [:],
                       dotEnv: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) -> ConnectionOptionsError? {
        do {
            let options = try resolve(flags, env: env, dotEnv: dotEnv)
            XCTFail("expected an error, got \(options)", file: file, line: line)
            return nil
        } catch let error as ConnectionOptionsError {
            return error
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
            return nil
        }
    }

    // MARK: - Defaults and precedence

    func testDefaults() throws {
        let options = try resolve()
        XCTAssertEqual(options, ConnectionOptions(host: "127.0.0.1", port: 6379, socketPath: nil, username: nil, password: nil,
                                                  db: 0, connectTimeoutSeconds: 5, passwordSource: .none))
        XCTAssertEqual(options.displayAddress, "127.0.0.1:6379")
    }

    func testEachLevelOverridesTheNext() throws {
        let dotEnv = ["CACHE_REDIS_HOST": "dotenv-host", "CACHE_REDIS_PORT": "1001", "CACHE_REDIS_DB": "1",
                      "CACHE_REDIS_PASSWORD": "dotenv-pw", "CACHE_REDIS_CONNECT_TIMEOUT": "1"]
        let env = ["CACHE_REDIS_HOST": "env-host", "CACHE_REDIS_PORT": "2002", "CACHE_REDIS_DB": "2",
                   "CACHE_REDIS_PASSWORD": "env-pw", "CACHE_REDIS_CONNECT_TIMEOUT": "2"]
        let url = "redis://url-user:url-pw@url-host:3003/3"
        let flags = ConnectionFlags(host: "flag-host", port: "4004", pass: "flag-pw", user: "flag-user", db: "4", url: url,
                                    connectTimeout: "4")

        let fromDotEnv = try resolve(dotEnv: dotEnv)
        XCTAssertEqual([fromDotEnv.host, "\(fromDotEnv.port)", "\(fromDotEnv.db)", fromDotEnv.password], ["dotenv-host", "1001", "1", "dotenv-pw"])
        XCTAssertEqual(fromDotEnv.passwordSource, .dotenv)
        XCTAssertEqual(fromDotEnv.connectTimeoutSeconds, 1)

        let fromEnv = try resolve(env: env, dotEnv: dotEnv)
        XCTAssertEqual([fromEnv.host, "\(fromEnv.port)", "\(fromEnv.db)", fromEnv.password], ["env-host", "2002", "2", "env-pw"])
        XCTAssertEqual(fromEnv.passwordSource, .env)
        XCTAssertEqual(fromEnv.connectTimeoutSeconds, 2)

        let fromURL = try resolve(ConnectionFlags(url: url), env: env, dotEnv: dotEnv)
        XCTAssertEqual([fromURL.host, "\(fromURL.port)", "\(fromURL.db)", fromURL.password, fromURL.username],
                       ["url-host", "3003", "3", "url-pw", "url-user"])
        XCTAssertEqual(fromURL.passwordSource, .url)
        XCTAssertEqual(fromURL.connectTimeoutSeconds, 2, "URLs carry no timeout: the environment's applies")

        let fromFlags = try resolve(flags, env: env, dotEnv: dotEnv)
        XCTAssertEqual([fromFlags.host, "\(fromFlags.port)", "\(fromFlags.db)", fromFlags.password, fromFlags.username],
                       ["flag-host", "4004", "4", "flag-pw", "flag-user"])
        XCTAssertEqual(fromFlags.passwordSource, .flag)
        XCTAssertEqual(fromFlags.connectTimeoutSeconds, 4)
    }

    func testPrecedenceIsPerField() throws {
        // Only the port flag: host still comes from the URL, db from the environment.
        let options = try resolve(ConnectionFlags(port: "7000", url: "redis://url-host"), env: ["CACHE_REDIS_DB": "5", "CACHE_REDIS_HOST": "env-host"])
        XCTAssertEqual(options.displayAddress, "url-host:7000")
        XCTAssertEqual(options.db, 5)
    }

    func testRedisCLIAuthBeatsTheAppPasswordAndEmptyValuesAreUnset() throws {
        let options = try resolve(env: ["REDISCLI_AUTH": "cli-pw", "CACHE_REDIS_PASSWORD": "app-pw"])
        XCTAssertEqual(options.password, "cli-pw")
        XCTAssertEqual(options.passwordSource, .env)
        let empty = try resolve(env: ["CACHE_REDIS_PASSWORD": "", "CACHE_REDIS_HOST": " "], dotEnv: ["CACHE_REDIS_PASSWORD": "dot-pw"])
        XCTAssertEqual(empty.password, "dot-pw")
        XCTAssertEqual(empty.passwordSource, .dotenv)
        XCTAssertEqual(empty.host, "127.0.0.1")
    }

    // MARK: - URLs

    func testURLForms() throws {
        let encoded = try resolve(ConnectionFlags(url: "redis://al%20ice:p%40ss%3Aw%2Frd@cache.internal:6380/2"))
        XCTAssertEqual(encoded.username, "al ice")
        XCTAssertEqual(encoded.password, "p@ss:w/rd")
        XCTAssertEqual(encoded.displayAddress, "cache.internal:6380")
        XCTAssertEqual(encoded.db, 2)

        let passwordOnly = try resolve(ConnectionFlags(url: "redis://:secret@10.0.0.5"))
        XCTAssertNil(passwordOnly.username)
        XCTAssertEqual(passwordOnly.password, "secret")
        XCTAssertEqual(passwordOnly.port, 6379)

        let userOnly = try resolve(ConnectionFlags(url: "redis://reader@host"))
        XCTAssertEqual(userOnly.username, "reader")
        XCTAssertNil(userOnly.password)

        let ipv6 = try resolve(ConnectionFlags(url: "REDIS://[::1]:7001?db=9"))
        XCTAssertEqual(ipv6.host, "::1")
        XCTAssertEqual(ipv6.displayAddress, "[::1]:7001")
        XCTAssertEqual(ipv6.db, 9)

        let unix = try resolve(ConnectionFlags(url: "unix:///var/run/redis/redis.sock?db=3"))
        XCTAssertEqual(unix.socketPath, "/var/run/redis/redis.sock")
        XCTAssertEqual(unix.displayAddress, "/var/run/redis/redis.sock")
        XCTAssertEqual(unix.db, 3)

        let unixAuth = try resolve(ConnectionFlags(url: "unix://:pw@/tmp/r.sock"))
        XCTAssertEqual(unixAuth.socketPath, "/tmp/r.sock")
        XCTAssertEqual(unixAuth.password, "pw")
    }

    func testSocketFlagAndHostFlagAgainstAUnixURL() throws {
        XCTAssertEqual(try resolve(ConnectionFlags(socket: "/tmp/flag.sock", url: "redis://h:1")).displayAddress, "/tmp/flag.sock")
        // An explicit -h wins over a unix:// URL's socket.
        let options = try resolve(ConnectionFlags(host: "h2", url: "unix:///tmp/u.sock"))
        XCTAssertNil(options.socketPath)
        XCTAssertEqual(options.displayAddress, "h2:6379")
    }

    func testURLErrors() {
        XCTAssertEqual(error(ConnectionFlags(url: "rediss://u:pw@host:6380"))?.kind, .tlsUnsupported)
        XCTAssertEqual(error(ConnectionFlags(url: "http://host"))?.kind, .unsupportedScheme)
        XCTAssertEqual(error(ConnectionFlags(url: "host:6379"))?.kind, .malformedURL)
        XCTAssertEqual(error(ConnectionFlags(url: "redis://host:70000"))?.kind, .badPort)
        XCTAssertEqual(error(ConnectionFlags(url: "redis://host:abc"))?.kind, .badPort)
        XCTAssertEqual(error(ConnectionFlags(url: "redis://host/abc"))?.kind, .badDB)
        XCTAssertEqual(error(ConnectionFlags(url: "redis://host?db=-1"))?.kind, .badDB)
        // Found by `make fuzz` (url target): the URL took any database number --db would refuse.
        XCTAssertEqual(error(ConnectionFlags(url: "redis://host/76389638896389"))?.kind, .badDB)
        XCTAssertEqual(error(ConnectionFlags(url: "redis://host?db=2147483648"))?.kind, .badDB)
        XCTAssertEqual(try? resolve(ConnectionFlags(url: "redis://host/2147483647")).db, 2_147_483_647)
        XCTAssertEqual(error(ConnectionFlags(url: "redis://a:b:c"))?.kind, .malformedURL)
        XCTAssertEqual(error(ConnectionFlags(url: "redis://u:p%zz@host"))?.kind, .malformedURL)
        XCTAssertEqual(error(ConnectionFlags(url: "unix://"))?.kind, .malformedURL)
        XCTAssertEqual(error(ConnectionFlags(url: "unix://somehost/tmp/x.sock"))?.kind, .malformedURL)
        let tls = error(ConnectionFlags(url: "rediss://host"))
        XCTAssertTrue(tls?.message.contains("TLS") == true)
    }

    // MARK: - Validation

    func testBadValuesNameTheirSource() {
        let port = error(ConnectionFlags(port: "0"))
        XCTAssertEqual(port?.kind, .badPort)
        XCTAssertEqual(port?.message, "The port \"0\" (from --port) is not a number between 1 and 65535.")
        XCTAssertEqual(error(env: ["CACHE_REDIS_PORT": "65536"])?.message,
                       "The port \"65536\" (from CACHE_REDIS_PORT in the environment) is not a number between 1 and 65535.")
        XCTAssertEqual(error(dotEnv: ["CACHE_REDIS_DB": "-2"])?.message,
                       "The database \"-2\" (from CACHE_REDIS_DB in .env) is not a database number (0 to 2147483647), a list such as 0,1,3, or all.")
        XCTAssertEqual(error(ConnectionFlags(db: "one"))?.kind, .badDB)
        XCTAssertEqual(error(ConnectionFlags(host: "redis://x"))?.kind, .badHost)
        XCTAssertEqual(error(ConnectionFlags(host: "a b"))?.kind, .badHost)
        XCTAssertEqual(error(env: ["CACHE_REDIS_CONNECT_TIMEOUT": "0"])?.kind, .badTimeout)
        XCTAssertEqual(error(env: ["CACHE_REDIS_CONNECT_TIMEOUT": "nan"])?.kind, .badTimeout)
        // A bad value at a lower level is not consulted when a higher level gives the field.
        XCTAssertNoThrow(try resolve(ConnectionFlags(port: "6380"), env: ["CACHE_REDIS_PORT": "junk"]))
        XCTAssertEqual(try resolve(env: ["CACHE_REDIS_CONNECT_TIMEOUT": "2.5"]).connectTimeoutSeconds, 2.5)
        XCTAssertEqual(try resolve(ConnectionFlags(host: "[::1]")).displayAddress, "[::1]:6379")
    }

    func testErrorMessagesAreOneSentence() {
        let errors = [error(ConnectionFlags(port: "x")), error(ConnectionFlags(url: "ftp://h")), error(ConnectionFlags(url: "rediss://h")),
                      error(ConnectionFlags(url: "nope")), error(ConnectionFlags(db: "x"))].compactMap { $0 }
        XCTAssertEqual(errors.count, 5)
        for error in errors {
            XCTAssertTrue(error.message.hasSuffix("."), error.message)
            XCTAssertFalse(error.message.contains("\n"), error.message)
            XCTAssertEqual(String(describing: error), error.message)
        }
    }

    // MARK: - The password never shows

    func testPasswordAppearsInNoDescriptionOrError() throws {
        let secret = "Tr0ub4dor&3"
        let encoded = "Tr0ub4dor%263"
        let options = try resolve(ConnectionFlags(url: "redis://admin:\(encoded)@db.example:6380/1"))
        XCTAssertEqual(options.password, secret)
        for text in [options.displayAddress, String(describing: options), String(reflecting: options), "\(options)", dumped(options),
                     dumped(ConnectionFlags(pass: secret, url: "redis://admin:\(encoded)@h")),
                     String(describing: ConnectionFlags(pass: secret))] {
            XCTAssertFalse(text.contains(secret), text)
            XCTAssertFalse(text.contains(encoded), text)
        }

        let failures: [ConnectionOptionsError?] = [
            error(ConnectionFlags(url: "redis://admin:\(secret)@db.example:99999")),
            error(ConnectionFlags(url: "redis://admin:\(secret)@db.example/notadb")),
            error(ConnectionFlags(url: "redis://admin:\(secret)@a:b:c")),
            error(ConnectionFlags(url: "rediss://admin:\(secret)@db.example")),
            error(ConnectionFlags(url: "admin:\(secret)@db.example")),
            error(ConnectionFlags(url: "\(secret)://db.example")),
            // The password typed into the wrong flag, or the wrong env var.
            error(ConnectionFlags(port: secret, pass: secret)),
            error(env: ["CACHE_REDIS_PORT": secret, "CACHE_REDIS_PASSWORD": secret]),
            error(ConnectionFlags(db: secret), dotEnv: ["CACHE_REDIS_PASSWORD": secret]),
        ]
        XCTAssertEqual(failures.compactMap { $0 }.count, failures.count)
        for failure in failures.compactMap({ $0 }) {
            for text in [failure.message, String(describing: failure), String(reflecting: failure), dumped(failure)] {
                XCTAssertFalse(text.contains(secret), text)
            }
        }
    }

    func testRedact() {
        let options = ConnectionOptions(password: "s3cr3t/x")
        XCTAssertEqual(options.redact("AUTH s3cr3t/x failed; url redis://:s3cr3t%2Fx@h; s3cr3t/x"),
                       "AUTH *** failed; url redis://:***@h; ***")
        XCTAssertEqual(ConnectionOptions(password: "pässwörd").redact("redis://:p%c3%a4ssw%C3%B6rd@h"), "redis://:***@h")
        XCTAssertEqual(ConnectionOptions().redact("nothing s3cr3t"), "nothing s3cr3t")
        XCTAssertEqual(ConnectionOptions(password: "").redact("a b"), "a b")
    }

    private func dumped(_ value: Any) -> String {
        var out = ""
        dump(value, to: &out)
        return out
    }
}
