@testable import CachewatchLogs
import XCTest

/// The scanner searches for the needle's rarest byte and reuses its last answer: it must still find exactly the
/// first occurrence at or after any start, like a naive search.
final class NeedleScannerTests: XCTestCase {
    private func naive(_ haystack: [UInt8], _ needle: [UInt8], from start: Int) -> Int? {
        guard haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        for index in start...(haystack.count - needle.count) where Array(haystack[index..<(index + needle.count)]) == needle {
            return index
        }
        return nil
    }

    func testTheAnchorIsARareByte() {
        XCTAssertEqual(NeedleScanner(needle: Array("pattern-based deletion".utf8)).anchor, 8)   // the 'b'
        XCTAssertEqual(NeedleScanner(needle: Array("Cache ".utf8)).anchor, 0)
        XCTAssertEqual(NeedleScanner(needle: Array("Started server process [".utf8)).anchor, 0)
        XCTAssertEqual(NeedleScanner(needle: Array("x".utf8)).anchor, 0)
    }

    func testCalibrationPicksTheByteTheTextHoldsLeast() {
        let text = Array(String(repeating: "2026-11-30 01:43:31 [    INFO] src.app.api: Database query took 7.2ms for user 1\n", count: 50).utf8)
        var scanner = NeedleScanner(needle: Array("pattern-based deletion".utf8))
        text.withUnsafeBufferPointer { scanner.calibrate(counts: NeedleScanner.byteCounts(of: $0)) }
        XCTAssertEqual(scanner.anchor, 16, "the 'l': none in these lines (nor 'n', 'd', guessed commoner), a 'b' in each")
        // Counts of the wrong size change nothing.
        scanner.calibrate(counts: [1, 2, 3])
        XCTAssertEqual(scanner.anchor, 16)
    }

    func testFirstOccurrenceMatchesANaiveSearchWhateverTheAnchor() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("pattern-based deletion Cab\n".utf8)
        for needleText in ["pattern-based deletion", "Cache ", "ab", "b", "n-b"] {
            let needle = Array(needleText.utf8)
            for _ in 0..<30 {
                var haystack = (0..<Int.random(in: 0...300, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
                if Bool.random(using: &generator), haystack.count > needle.count {
                    let at = Int.random(in: 0...(haystack.count - needle.count), using: &generator)
                    haystack.replaceSubrange(at..<(at + needle.count), with: needle)
                }
                var scanner = NeedleScanner(needle: needle)
                scanner.calibrate(counts: (0..<256).map { _ in Int.random(in: 0...5, using: &generator) })
                haystack.withUnsafeBufferPointer { buffer in
                    guard let base = buffer.baseAddress else { return }
                    scanner.begin(buffer)
                    for start in 0...buffer.count {
                        let found = scanner.firstOccurrence(from: base + start).map { $0 - base }
                        XCTAssertEqual(found, naive(haystack, needle, from: start), "\(needleText) anchor \(scanner.anchor) from \(start)")
                    }
                    scanner.end()
                }
            }
        }
    }

    func testFirstOccurrenceMatchesANaiveSearchFromEveryStart() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("pattern-based deletion Cab\n".utf8)
        for needleText in ["pattern-based deletion", "Cache ", "ab", "b", "n-b"] {
            let needle = Array(needleText.utf8)
            for _ in 0..<40 {
                var haystack = (0..<Int.random(in: 0...300, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
                if Bool.random(using: &generator), haystack.count > needle.count {
                    let at = Int.random(in: 0...(haystack.count - needle.count), using: &generator)
                    haystack.replaceSubrange(at..<(at + needle.count), with: needle)
                }
                var scanner = NeedleScanner(needle: needle)
                haystack.withUnsafeBufferPointer { buffer in
                    guard let base = buffer.baseAddress else { return }
                    scanner.begin(buffer)
                    for start in 0...buffer.count {
                        let found = scanner.firstOccurrence(from: base + start).map { $0 - base }
                        XCTAssertEqual(found, naive(haystack, needle, from: start), "\(needleText) from \(start)")
                    }
                    // mayContain, line by line, agrees with the naive search too.
                    var lineStart = 0
                    while lineStart < buffer.count {
                        let end = haystack[lineStart...].firstIndex(of: 0x0A) ?? buffer.count
                        let line = UnsafeBufferPointer(rebasing: buffer[lineStart..<end])
                        let expected = naive(Array(haystack[lineStart..<end]), needle, from: 0) != nil
                        XCTAssertEqual(scanner.mayContain(line), expected)
                        lineStart = end + 1
                    }
                    scanner.end()
                }
            }
        }
    }
}
