import CachewatchCore
@testable import CachewatchRecording
import Foundation
import XCTest

/// Sizes and cost of recordings, from real `watch` documents (skipped unless
/// `CACHEWATCH_MEASURE_DOCUMENTS=watch.ndjson` names a file): prints the numbers the README quotes.
final class RecordingMeasureTests: XCTestCase {
    func testMeasureRecordingOfRealDocuments() throws {
        guard let path = ProcessInfo.processInfo.environment["CACHEWATCH_MEASURE_DOCUMENTS"] else {
            throw XCTSkip("set CACHEWATCH_MEASURE_DOCUMENTS to a watch --json output to measure")
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let documents = try text.split(separator: "\n").map { try JSONParser.parse(String($0)) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cw-measure-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let header = RecordingHeader(cachewatchVersion: "measure", target: .null, startedAt: Date(), intervalSeconds: 1)
        for compression in [RecordingWriter.Compression.streaming, .memberPerEntry] {
            let file = directory.appendingPathComponent("\(compression).cwrec").path
            let writer = try RecordingWriter(path: file, overwrite: true, header: header, compression: compression)
            var censusEntries = 0, censusBytes = 0, otherBytes = 0
            let started = Date()
            for document in documents {
                let before = writer.bytesWritten
                try writer.append(document: document)
                let size = writer.bytesWritten - before
                if writer.lastEntryHeldCensus { censusEntries += 1; censusBytes += size } else { otherBytes += size }
            }
            let seconds = Date().timeIntervalSince(started)
            writer.finish()
            let others = documents.count - censusEntries
            print("""
                measure \(compression): \(documents.count) entries, \(writer.bytesWritten) B compressed (\(writer.textBytesWritten) B text); \
                \(censusEntries) with a census: \(censusBytes / max(1, censusEntries)) B each; \(others) without: \
                \(otherBytes / max(1, others)) B each; \(String(format: "%.2f", seconds * 1000 / Double(max(1, documents.count)))) ms per entry
                """)
        }
    }

    /// A 200-family census (the `--max-families` cap, e.g. a 1 M-key cache), built from a real family
    /// row, written once per pass between per-second entries: the bytes of a day.
    func testMeasureLargeCensus() throws {
        guard let path = ProcessInfo.processInfo.environment["CACHEWATCH_MEASURE_DOCUMENTS"] else {
            throw XCTSkip("set CACHEWATCH_MEASURE_DOCUMENTS to a watch --json output to measure")
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        guard let last = text.split(separator: "\n").last, case var .object(pairs) = try JSONParser.parse(String(last)),
              let position = pairs.firstIndex(where: { $0.0 == "census" }), case var .object(census) = pairs[position].1,
              let familiesIndex = census.firstIndex(where: { $0.0 == "families" }), case let .array(families) = census[familiesIndex].1,
              !families.isEmpty else { return XCTFail("no census in the last document") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cw-measure-big-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let writer = try RecordingWriter(path: directory.appendingPathComponent("big.cwrec").path, overwrite: true,
                                         header: RecordingHeader(cachewatchVersion: "m", target: .null, startedAt: Date(), intervalSeconds: 1))
        var censusBytes: [Int] = []
        var otherBytes: [Int] = []
        let started = Date()
        for pass in 0..<6 {
            // Each pass: every family's counts move a little (a new pass over a changing cache).
            let rows: [JSONValue] = (0..<200).map { index in
                guard case var .object(row) = families[index % families.count] else { return .null }
                for field in row.indices {
                    switch row[field].0 {
                    case "pattern": row[field].1 = .string("family\(index):{id}:" + (families[index % families.count]["pattern"]?.text() ?? ""))
                    case "keys", "sampled", "no_ttl": if case let .int(value) = row[field].1 { row[field].1 = .int(value * (index + 3) + pass * 7 + index) }
                    default: break
                    }
                }
                return .object(row)
            }
            census[familiesIndex] = ("families", .array(rows))
            pairs[position] = ("census", .object(census))
            for second in 0..<200 {
                if case let .object(metrics)? = pairs.first(where: { $0.0 == "metrics" })?.1, let index = pairs.firstIndex(where: { $0.0 == "metrics" }) {
                    var changed = metrics
                    for field in changed.indices { if case let .double(value) = changed[field].1 { changed[field].1 = .double(value + Double(second % 13) * 0.37) } }
                    pairs[index] = ("metrics", .object(changed))
                }
                let before = writer.bytesWritten
                try writer.append(document: .object(pairs))
                (second == 0 ? { censusBytes.append(writer.bytesWritten - before) } : { otherBytes.append(writer.bytesWritten - before) })()
            }
        }
        let milliseconds = Date().timeIntervalSince(started) * 1000 / 1200
        writer.finish()
        let censusEntry = censusBytes.dropFirst().reduce(0, +) / max(1, censusBytes.count - 1)
        let other = otherBytes.reduce(0, +) / max(1, otherBytes.count)
        print("measure 200 families: census entry \(censusEntry) B, other entries \(other) B, \(String(format: "%.2f", milliseconds)) ms per entry; "
              + "a day at 1 s with a pass every 200 s: \((86_400 * other + 432 * censusEntry) / 1_000_000) MB")
    }
}
