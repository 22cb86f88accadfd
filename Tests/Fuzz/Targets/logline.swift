// libFuzzer target: the log-line pipeline, every format and the fast paths.
//
// The input is a log chunk. It is cut into lines twice by LineSplitter (line by line, and with the
// block fast path `feed(_:emit:emitBlock:)`), in two chunks split at an input-chosen point, and the
// two line sequences must agree. Every line then goes through LogLineProcessor twice: the full
// path (`process(…, mayContainPrefix: false)` for lines without the matchers' common prefix) and
// the fast path (`countLineWithoutPrefix`), whose counters must be equal; a third processor runs
// a backfill cutoff in another time zone. Each format's shape must lie inside the line, events must
// have finite times and display-safe error texts, and the counter must take every event.
import Foundation
@testable import CachewatchCore
@testable import CachewatchLogs

private let utc = TimeZone(identifier: "UTC")!
private let tokyo = TimeZone(identifier: "Asia/Tokyo") ?? utc
private let arrival = Date(timeIntervalSince1970: 1_764_196_300)
private let cutoff = Date(timeIntervalSince1970: 1_764_196_000)

private func contains(_ line: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
    guard !needle.isEmpty else { return true }
    guard line.count >= needle.count else { return false }
    for start in 0...(line.count - needle.count) where line[start] == needle[0] {
        var index = 1
        while index < needle.count, line[start + index] == needle[index] { index += 1 }
        if index == needle.count { return true }
    }
    return false
}

private struct Line: Equatable {
    var bytes: [UInt8]
    var truncated: Bool
}

private func checkShape(_ shape: LogLineShape, _ count: Int) {
    let whole = 0...count
    fuzzCheck(whole.contains(shape.messageRange.lowerBound) && whole.contains(shape.messageRange.upperBound), "message range \(shape.messageRange) outside \(count)")
    if let range = shape.timestampRange { fuzzCheck(whole.contains(range.lowerBound) && whole.contains(range.upperBound), "timestamp range outside line") }
    if let range = shape.levelRange { fuzzCheck(whole.contains(range.lowerBound) && whole.contains(range.upperBound), "level range outside line") }
}

private func checkEvent(_ event: FailOpenEvent?, _ counter: inout FailOpenCounter) {
    guard let event else { return }
    let seconds = event.timestamp.timeIntervalSince1970
    fuzzCheck(seconds.isFinite, "event time not finite")
    fuzzCheck(isDisplaySafe(event.match.error), "error text not display-safe: \(Array(event.match.error.unicodeScalars.map(\.value)))")
    if let family = event.match.family { fuzzCheck(isDisplaySafe(family), "family not display-safe") }
    // Times far from now (a JSON `time: 1e22`, issue 8 §1) are bounded by the parser and the counter: no guard here.
    counter.record(event, now: arrival)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func loglineFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    let hash = fuzzHash(bytes)
    let cut = bytes.isEmpty ? 0 : Int(hash % UInt32(bytes.count + 1))
    let maximumLine = [64, 512, 1 << 20][Int(hash >> 8) % 3]

    // 1. LineSplitter: per-line feed and block feed must deliver the same lines.
    var plain: [Line] = []
    var blocked: [Line] = []
    var one = LineSplitter(maximumLineBytes: maximumLine)
    var two = LineSplitter(maximumLineBytes: maximumLine)
    bytes.withUnsafeBufferPointer { all in
        for piece in [UnsafeBufferPointer(rebasing: all[0..<cut]), UnsafeBufferPointer(rebasing: all[cut...])] {
            one.feed(piece) { plain.append(Line(bytes: Array($0), truncated: $1)) }
            two.feed(piece, emit: { blocked.append(Line(bytes: Array($0), truncated: $1)) }, emitBlock: { block in
                fuzzCheck(block.last == 0x0A, "block does not end with a newline")
                var start = 0
                for index in 0..<block.count where block[index] == 0x0A {
                    fuzzCheck(index - start <= maximumLine, "block line longer than the limit")
                    blocked.append(Line(bytes: Array(block[start..<index]), truncated: false))
                    start = index + 1
                }
            })
        }
    }
    one.flush { plain.append(Line(bytes: Array($0), truncated: $1)) }
    two.flush { blocked.append(Line(bytes: Array($0), truncated: $1)) }
    fuzzCheck(plain == blocked, "LineSplitter block path gave other lines (\(plain.count) vs \(blocked.count))")
    for line in plain { fuzzCheck(line.bytes.count <= maximumLine, "line longer than the limit") }

    // 2. The needle scanner over the whole chunk never says "no" for a line that has the prefix.
    let matcher = FailOpenMatcher()
    var needles = NeedleScanner(needle: matcher.commonPrefix)
    bytes.withUnsafeBufferPointer { all in
        needles.begin(all)
        var start = 0
        for index in 0..<all.count where all[index] == 0x0A {
            let line = UnsafeBufferPointer(rebasing: all[start..<index])
            if contains(line, matcher.commonPrefix) { fuzzCheck(needles.mayContain(line), "needle scanner missed the prefix") }
            start = index + 1
        }
        needles.end()
    }

    // 3. Full path vs fast path, and a backfill cutoff in another zone.
    var full = LogLineProcessor(timeZone: utc, matcher: matcher)
    var fast = LogLineProcessor(timeZone: utc, matcher: matcher)
    var backfill = LogLineProcessor(timeZone: tokyo, matcher: matcher)
    backfill.notBefore = cutoff
    backfill.untimedEventsOutsideWindows = true
    var parser = LogLineParser(timeZone: utc)
    var stamps = LogTimestampParser(timeZone: tokyo)
    var counter = FailOpenCounter()
    for line in plain {
        line.bytes.withUnsafeBufferPointer { buffer in
            let hasPrefix = contains(buffer, matcher.commonPrefix)
            if hasPrefix || line.truncated {
                let a = full.process(buffer, arrival: arrival, truncated: line.truncated)
                let b = fast.process(buffer, arrival: arrival, truncated: line.truncated)
                fuzzCheck(a == b, "same call, different events")
                checkEvent(a, &counter)
            } else {
                fuzzCheck(full.process(buffer, arrival: arrival, mayContainPrefix: false) == nil, "event without the prefix")
                fast.countLineWithoutPrefix(buffer)
            }
            checkEvent(backfill.process(buffer, arrival: arrival, truncated: line.truncated), &counter)

            let shape = parser.shape(of: buffer)
            checkShape(shape, buffer.count)
            for format in LogFormat.allCases {
                if let other = LogLineParser.shape(of: buffer, as: format) { checkShape(other, buffer.count) }
            }
            if let time = parser.timestamp(of: buffer, shape: shape) {
                fuzzCheck(time.timeIntervalSince1970.isFinite, "timestamp not finite")
            }
            let message = LogLineParser.message(of: buffer, shape: shape)
            fuzzCheck(message.count <= buffer.count, "unescaped message longer than the line")
            _ = LogLineParser.level(of: buffer, shape: shape)
            if let time = stamps.parse(buffer) { fuzzCheck(time.timeIntervalSince1970.isFinite, "text timestamp not finite") }
            fuzzCheck(isDisplaySafe(FailOpenMatcher.displayText(line.bytes[...])), "displayText not display-safe")
        }
    }
    fuzzCheck(full.lines == fast.lines && full.unparsed == fast.unparsed && full.continuations == fast.continuations
              && full.events == fast.events && full.truncated == fast.truncated && full.formatName == fast.formatName,
              "countLineWithoutPrefix disagrees with process: lines \(full.lines)/\(fast.lines) unparsed \(full.unparsed)/\(fast.unparsed) "
              + "continuations \(full.continuations)/\(fast.continuations) format \(full.formatName)/\(fast.formatName)")
    fuzzCheck(full.lines == plain.count, "lines \(full.lines) != \(plain.count) delivered")

    let perMinute = counter.perMinute(now: arrival)
    fuzzCheck(perMinute.count == 60 && perMinute.allSatisfy { $0 >= 0 }, "per-minute series")
    fuzzCheck(perMinute.last == counter.count(lastSeconds: 60, now: arrival), "last minute != last_1m")
    for (error, _) in counter.topErrors() { fuzzCheck(isDisplaySafe(error), "top error not display-safe") }
    return 0
}
