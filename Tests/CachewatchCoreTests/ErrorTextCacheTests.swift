import XCTest
@testable import CachewatchCore

/// `ErrorTextCache` (its recent entries and its table) gives exactly `FailOpenMatcher.normaliseError` for every text.
final class ErrorTextCacheTests: XCTestCase {
    func testCachedTextsEqualNormalisingEveryTime() {
        let texts = ["ConnectionError", "Backend 'redis' is not available.", "Timeout reading from socket",
                     "redis.exceptions.ConnectionError: Error 111 connecting to localhost:6379. Connection refused.",
                     "", "  ", "ConnectionErrox", "ConnectionErrorX", "Error 110 while reading from socket. Timed out.",
                     String(repeating: "x", count: 300), "a\u{1B}[31mred", "b", "c", "d", "e"]
        var rng = SplitMix64(state: 21)
        for capacity in [256, 3, 0] {
            var cache = ErrorTextCache(capacity: capacity)
            for step in 0..<3_000 {
                // Runs of one text, alternations, and more distinct texts than the recent entries hold.
                let text = step % 7 == 0 ? texts[step % texts.count] : texts[rng.int(0...(texts.count - 1))]
                let bytes = Array(text.utf8)
                let expected = bytes.withUnsafeBufferPointer { FailOpenMatcher.normaliseError($0) }
                XCTAssertEqual(bytes.withUnsafeBufferPointer { cache.normalised($0) }, expected, "capacity \(capacity), step \(step)")
            }
        }
    }
}
