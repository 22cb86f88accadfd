import Foundation
import XCTest
@testable import CachewatchCore

final class ConnectionDotEnvTests: XCTestCase {
    func testAssignmentsQuotesCommentsAndExport() {
        let text = "\u{FEFF}# app settings\r\n"
            + "\n"
            + "CACHE_REDIS_HOST=redis.internal\r\n"
            + "export CACHE_REDIS_PORT = 6380 \n"
            + "CACHE_REDIS_PASSWORD='p#ss word' # trailing comment\n"
            + "DOUBLE=\"line\\nnext \\\"q\\\"\"\n"
            + "INLINE=value # comment\n"
            + "HASH=a#b\n"
            + "EMPTY=\n"
            + "not an assignment\n"
            + "1BAD=x\n"
            + "=novalue\n"
            + "UNCLOSED=\"abc\n"
            + "CACHE_REDIS_DB=1\n"
            + "CACHE_REDIS_DB=2\n"
        XCTAssertEqual(DotEnv.parse(text), [
            "CACHE_REDIS_HOST": "redis.internal",
            "CACHE_REDIS_PORT": "6380",
            "CACHE_REDIS_PASSWORD": "p#ss word",
            "DOUBLE": "line\nnext \"q\"",
            "INLINE": "value",
            "HASH": "a#b",
            "EMPTY": "",
            "UNCLOSED": "abc",
            "CACHE_REDIS_DB": "2",
        ])
    }

    func testExportAsAKeyNameIsNotStripped() {
        XCTAssertEqual(DotEnv.parse("export=1\nexportX=2"), ["export": "1", "exportX": "2"])
    }

    func testLoadMissingFileIsNil() throws {
        XCTAssertNil(DotEnv.load(contentsOf: URL(fileURLWithPath: "/nonexistent/cachewatch/.env")))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cachewatch-dotenv-\(UUID().uuidString)")
        try Data("CACHE_REDIS_HOST=h\n".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        XCTAssertEqual(DotEnv.load(contentsOf: url), ["CACHE_REDIS_HOST": "h"])
    }

    func testDotEnvFeedsResolution() throws {
        let dotEnv = DotEnv.parse("CACHE_REDIS_HOST=from-file\nCACHE_REDIS_PASSWORD=\"file pw\"\n")
        let options = try ConnectionOptions.resolve(flags: ConnectionFlags(), environment: ["CACHE_REDIS_HOST": "from-env"], dotEnv: dotEnv)
        XCTAssertEqual(options.host, "from-env")
        XCTAssertEqual(options.password, "file pw")
        XCTAssertEqual(options.passwordSource, .dotenv)
    }
}
