import CachewatchCore
@testable import CachewatchRecording
import Foundation
import XCTest

final class RecordingFileTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cachewatch-rec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static let start = Date(timeIntervalSince1970: 1_795_000_000)

    static func header() -> RecordingHeader {
        RecordingHeader(cachewatchVersion: "test", target: .object([("kind", .string("redis"))]), startedAt: start, intervalSeconds: 1)
    }

    /// A demo-like document: metrics every second, a census that changes every `censusEvery` documents.
    static func document(_ index: Int, censusEvery: Int = 30, families: Int = 12) -> JSONValue {
        let taken = start.addingTimeInterval(Double(index))
        let generation = index / censusEvery
        let familyRows: [JSONValue] = (0..<families).map { family in
            .object([("pattern", .string("family\(family):{id}")), ("keys", .int(1000 + family * 37 + generation)),
                     ("ttl_p50_seconds", .double(300.5 + Double(family))), ("no_ttl", .int(family % 3))])
        }
        return .object([
            ("schema", .int(1)),
            ("taken_at", .string(ISOTime.format(taken))),
            ("target", .object([("kind", .string("redis"))])),
            ("metrics", .object([("ops_per_second", .double(1200 + Double(index % 17) * 3.25)),
                                 ("hit_ratio", .double(0.912345)), ("used_memory_bytes", .int(12_000_000 + index * 11))])),
            ("census", .object([("db", .int(0)), ("families", .array(familyRows))])),
            ("logs", .object([("fail_open_per_minute", .int(index % 5))])),
            ("findings", .array([])),
        ])
    }

    private func writeRecording(_ name: String, documents: Int, compression: RecordingWriter.Compression = .streaming,
                                finish: Bool = true) throws -> (String, [JSONValue]) {
        let file = path(name)
        let writer = try RecordingWriter(path: file, overwrite: false, header: Self.header(), compression: compression)
        var written: [JSONValue] = []
        for index in 0..<documents {
            let document = Self.document(index)
            try writer.append(document: document)
            written.append(document)
        }
        if finish { writer.finish() }
        return (file, written)
    }

    private func readAll(_ file: String) throws -> ([JSONValue], RecordingReadSummary) {
        var documents: [JSONValue] = []
        let summary = try RecordingReader.read(path: file) { documents.append($0.document); return true }
        return (documents, summary)
    }

    func testRoundTripReinsertsCensusExactly() throws {
        let (file, written) = try writeRecording("a.cwrec", documents: 100)
        let (read, summary) = try readAll(file)
        XCTAssertEqual(read.map { $0.serialized() }, written.map { $0.serialized() })
        XCTAssertNil(summary.problem)
        XCTAssertFalse(summary.interrupted)
        XCTAssertEqual(summary.header, Self.header())
    }

    func testEveryEntryIsOnDiskAsSoonAsItIsAppended() throws {
        let file = path("live.cwrec")
        let writer = try RecordingWriter(path: file, overwrite: false, header: Self.header())
        for index in 0..<5 {
            try writer.append(document: Self.document(index))
            let (read, summary) = try readAll(file)
            XCTAssertEqual(read.count, index + 1, "entry \(index) must be readable before the writer closes")
            XCTAssertTrue(summary.interrupted)
            XCTAssertNil(summary.problem)
        }
        writer.finish()
    }

    func testTruncatedFileReplaysCompleteEntriesAndSaysSoInOneSentence() throws {
        let (file, written) = try writeRecording("t.cwrec", documents: 50)
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        XCTAssertThrowsError(try { () throws -> Void in
            let cutHeader = self.path("header-cut.cwrec")
            try data.prefix(40).write(to: URL(fileURLWithPath: cutHeader))
            _ = try self.readAll(cutHeader)
        }(), "a file cut inside its header is not a recording") { XCTAssertTrue("\($0)".contains("cannot be replayed")) }
        for cut in [data.count - 3, data.count / 2] {
            let truncated = path("cut-\(cut).cwrec")
            try data.prefix(cut).write(to: URL(fileURLWithPath: truncated))
            let (read, summary) = try readAll(truncated)
            XCTAssertLessThanOrEqual(read.count, written.count)
            XCTAssertEqual(read.map { $0.serialized() }, written.prefix(read.count).map { $0.serialized() })
            XCTAssertGreaterThan(read.count, 0)
            if read.count < written.count { XCTAssertTrue(summary.problem?.contains("damaged") ?? summary.interrupted, "\(cut)") }
        }
    }

    func testCorruptBytesGiveASentenceNotACrash() throws {
        let (file, _) = try writeRecording("c.cwrec", documents: 50)
        var data = try Data(contentsOf: URL(fileURLWithPath: file))
        for offset in stride(from: data.count / 2, to: data.count / 2 + 64, by: 1) { data[offset] ^= 0x5A }
        let corrupt = path("corrupt.cwrec")
        try data.write(to: URL(fileURLWithPath: corrupt))
        let (read, summary) = try readAll(corrupt)
        XCTAssertLessThan(read.count, 50)
        XCTAssertNotNil(summary.problem)
        XCTAssertTrue(summary.problem?.contains("damaged") ?? false)
    }

    func testNotARecordingAndMissingFilesAreOneSentence() throws {
        let other = path("notes.txt")
        try "hello\n".write(toFile: other, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try readAll(other)) { XCTAssertTrue("\($0)".contains("not a cachewatch recording"), "\($0)") }
        XCTAssertThrowsError(try readAll(path("missing.cwrec"))) { XCTAssertTrue("\($0)".contains("does not exist")) }
        let empty = path("empty.cwrec")
        FileManager.default.createFile(atPath: empty, contents: Data())
        XCTAssertThrowsError(try readAll(empty))
        let garbage = path("garbage.cwrec")
        try Data([0x1F, 0x8B] + (0..<500).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: URL(fileURLWithPath: garbage))
        XCTAssertThrowsError(try readAll(garbage))
    }

    /// A long timeline (400 events, ~100 KB of JSON in every `watch` document) costs almost nothing per entry once
    /// written: `events_ref` (it would not fit deflate's 32 KB window, and cost its compressed size every second).
    func testALongTimelineIsStoredOncePerChange() throws {
        let events: JSONValue = .array((0..<400).map { index in
            .object([("at", .string(ISOTime.format(Self.start.addingTimeInterval(Double(index * 7))))), ("kind", .string("latency-spike")),
                     ("severity", .string("warn")), ("message", .string("PING took \(50 + index % 97).\(index % 10) ms (median \(index % 13).25 ms).")),
                     ("evidence", .object([("ping_ms", .double(50 + Double(index) / 3)), ("median_ms", .double(Double(index % 13) + 0.25))]))])
        })
        let file = path("timeline.cwrec")
        let writer = try RecordingWriter(path: file, overwrite: false, header: Self.header())
        var written: [JSONValue] = []
        for index in 0..<100 {
            guard case var .object(pairs) = Self.document(index) else { return XCTFail() }
            pairs.append(("events", events))
            written.append(.object(pairs))
            try writer.append(document: .object(pairs))
        }
        writer.finish()
        let size = try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int ?? 0
        XCTAssertLessThan(size / 100, 1_000, "bytes per entry with a 500-event timeline: \(size / 100)")
        let (read, summary) = try readAll(file)
        XCTAssertNil(summary.problem)
        XCTAssertEqual(read.count, written.count)
        for index in [0, 1, 50, 99] {
            XCTAssertTrue(read[index].serialized() == written[index].serialized(), "document \(index) reads back with its events")
        }
    }

    func testPlainTextRecordingIsRead() throws {
        var encoder = RecordingEncoder()
        var text = encoder.headerLine(Self.header()) + "\n"
        for index in 0..<3 { text += encoder.entryLine(document: Self.document(index)) + "\n" }
        let plain = path("plain.ndjson")
        try text.write(toFile: plain, atomically: true, encoding: .utf8)
        let (read, _) = try readAll(plain)
        XCTAssertEqual(read.count, 3)
    }

    func testRefusesToOverwriteUnlessAsked() throws {
        let (file, _) = try writeRecording("o.cwrec", documents: 1)
        XCTAssertThrowsError(try RecordingWriter(path: file, overwrite: false, header: Self.header())) {
            XCTAssertTrue("\($0)".contains("already exists"))
        }
        let writer = try RecordingWriter(path: file, overwrite: true, header: Self.header())
        writer.finish()
        XCTAssertEqual(try readAll(file).0.count, 0)
        XCTAssertThrowsError(try RecordingWriter(path: directory.path, overwrite: true, header: Self.header()))
        XCTAssertThrowsError(try RecordingWriter(path: path("no/such/dir.cwrec"), overwrite: false, header: Self.header()))
    }

    func testConcatenatedMembersAreRead() throws {
        let (file, written) = try writeRecording("m.cwrec", documents: 20, compression: .memberPerEntry)
        let (read, summary) = try readAll(file)
        XCTAssertEqual(read.map { $0.serialized() }, written.map { $0.serialized() })
        XCTAssertNil(summary.problem)
    }

    /// Streaming (one dictionary, a sync flush per entry) against one gzip member per entry; the
    /// numbers are printed for the README's sizing.
    func testStreamingCompressionBeatsMembersPerEntry() throws {
        let (streaming, _) = try writeRecording("s.cwrec", documents: 600)
        let (members, _) = try writeRecording("p.cwrec", documents: 600, compression: .memberPerEntry)
        let streamingBytes = try FileManager.default.attributesOfItem(atPath: streaming)[.size] as? Int ?? 0
        let memberBytes = try FileManager.default.attributesOfItem(atPath: members)[.size] as? Int ?? 0
        print("recording sizes for 600 entries: streaming \(streamingBytes) B, members \(memberBytes) B")
        XCTAssertLessThan(streamingBytes, memberBytes)
    }

    /// Damage anywhere (flipped bytes, cuts, garbage appended) gives documents and at most a sentence, never a crash.
    func testRandomDamageNeverCrashes() throws {
        let (file, written) = try writeRecording("fuzz.cwrec", documents: 40)
        let original = try Data(contentsOf: URL(fileURLWithPath: file))
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(max(1, bound)))
        }
        for round in 0..<150 {
            var data = original
            switch round % 3 {
            case 0: for _ in 0..<(1 + next(4)) { let at = next(data.count); data[at] ^= UInt8(1 + next(255)) }
            case 1: data = data.prefix(next(data.count))
            default: data.append(contentsOf: (0..<next(200)).map { _ in UInt8(next(256)) })
            }
            let damaged = path("damaged-\(round).cwrec")
            try data.write(to: URL(fileURLWithPath: damaged))
            do {
                let (read, _) = try readAll(damaged)
                XCTAssertLessThanOrEqual(read.count, written.count + 1)
            } catch let error as RecordingError {
                XCTAssertTrue(error.description.hasSuffix("."), error.description)
            }
        }
    }
}
