import Foundation
import TestSupport
import XCTest

// Small helpers shared by the *CLITests suites (black-box tests of the built `cachewatch` binary).

// MARK: - JSON

/// Parses a JSON document with JSONSerialization (what a script reading our output would do).
func parseJSONObject(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    guard let dictionary = object as? [String: Any] else {
        XCTFail("not a JSON object: \(text.prefix(200))", file: file, line: line)
        throw CLITestError("not a JSON object")
    }
    return dictionary
}

struct CLITestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A minimal JSON reader that keeps object key order and the token kind of every value
/// (JSONSerialization loses both); used only to check field order and JSON types.
indirect enum OrderedJSON: Equatable {
    case object([(String, OrderedJSON)])
    case array([OrderedJSON])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    static func == (lhs: OrderedJSON, rhs: OrderedJSON) -> Bool {
        switch (lhs, rhs) {
        case let (.object(a), .object(b)): return a.map(\.0) == b.map(\.0) && zip(a, b).allSatisfy { $0.1 == $1.1 }
        case let (.array(a), .array(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.bool(a), .bool(b)): return a == b
        case (.null, .null): return true
        default: return false
        }
    }

    /// Keys of an object, in document order.
    var keys: [String] {
        if case .object(let pairs) = self { return pairs.map(\.0) }
        return []
    }

    subscript(key: String) -> OrderedJSON? {
        if case .object(let pairs) = self { return pairs.first { $0.0 == key }?.1 }
        return nil
    }

    var elements: [OrderedJSON] {
        if case .array(let items) = self { return items }
        return []
    }

    /// `object`, `array`, `string`, `integer`, `number` (with a fraction or exponent), `bool`, `null`.
    var kind: String {
        switch self {
        case .object: return "object"
        case .array: return "array"
        case .string: return "string"
        case .number(let raw): return raw.contains(where: { ".eE".contains($0) }) ? "number" : "integer"
        case .bool: return "bool"
        case .null: return "null"
        }
    }

    static func parse(_ text: String) throws -> OrderedJSON {
        var reader = Reader(bytes: Array(text.utf8))
        let value = try reader.value()
        reader.skipSpace()
        guard reader.index == reader.bytes.count else { throw CLITestError("trailing bytes after JSON") }
        return value
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func value() throws -> OrderedJSON {
            skipSpace()
            guard index < bytes.count else { throw CLITestError("unexpected end of JSON") }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var pairs: [(String, OrderedJSON)] = []
                skipSpace()
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(pairs) }
                while true {
                    skipSpace()
                    guard case .string(let key) = try value() else { throw CLITestError("object key is not a string") }
                    skipSpace()
                    guard bytes[index] == UInt8(ascii: ":") else { throw CLITestError("missing :") }
                    index += 1
                    pairs.append((key, try value()))
                    skipSpace()
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    guard bytes[index] == UInt8(ascii: "}") else { throw CLITestError("missing }") }
                    index += 1
                    return .object(pairs)
                }
            case UInt8(ascii: "["):
                index += 1
                var items: [OrderedJSON] = []
                skipSpace()
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                while true {
                    items.append(try value())
                    skipSpace()
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    guard bytes[index] == UInt8(ascii: "]") else { throw CLITestError("missing ]") }
                    index += 1
                    return .array(items)
                }
            case UInt8(ascii: "\""):
                let start = index
                index += 1
                while bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\") { index += 1 }
                    index += 1
                }
                index += 1
                let raw = String(decoding: bytes[start..<index], as: UTF8.self)
                guard let decoded = try JSONSerialization.jsonObject(with: Data(raw.utf8), options: [.fragmentsAllowed]) as? String else {
                    throw CLITestError("bad string \(raw)")
                }
                return .string(decoded)
            case UInt8(ascii: "t"):
                index += 4
                return .bool(true)
            case UInt8(ascii: "f"):
                index += 5
                return .bool(false)
            case UInt8(ascii: "n"):
                index += 4
                return .null
            default:
                let start = index
                while index < bytes.count, "-+.eE0123456789".utf8.contains(bytes[index]) { index += 1 }
                guard index > start else { throw CLITestError("unexpected byte \(bytes[index])") }
                return .number(String(decoding: bytes[start..<index], as: UTF8.self))
            }
        }
    }
}

// MARK: - Waiting

/// Polls `condition` every 50 ms until it holds or `timeoutSeconds` pass (a bound, not a speed claim).
@discardableResult
/// `cachewatch snapshot --json --interval 0.2s -p SEED extra…` against a cluster node: exit 0 asserted, the document parsed.
func clusterSnapshot(seed: RedisServerFixture, _ extra: [String], file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
    let result = try CLIRunner.run(["snapshot", "--json", "--interval", "0.2s", "-p", String(seed.port)] + extra)
    XCTAssertEqual(result.status, 0, result.stderr, file: file, line: line)
    return try parseJSONObject(result.stdout, file: file, line: line)
}

/// Asserts that a cluster snapshot taken from `seed` lists exactly `cluster`'s nodes as healthy primaries covering every
/// slot and holding `keys` keys in all; returns the document's `target`.
@discardableResult
func assertHealthyClusterTarget(_ document: [String: Any], cluster: RedisClusterFixture, seed: RedisServerFixture, keys: Int,
                                file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
    let target = try XCTUnwrap(document["target"] as? [String: Any], file: file, line: line)
    XCTAssertEqual(target["mode"] as? String, "cluster", file: file, line: line)
    let nodes = try XCTUnwrap(target["nodes"] as? [[String: Any]], file: file, line: line)
    XCTAssertEqual(Set(nodes.compactMap { $0["address"] as? String }), Set(cluster.nodes.map { "127.0.0.1:\($0.port)" }),
                   "seed \(seed.port)", file: file, line: line)
    XCTAssertEqual(nodes.map { $0["role"] as? String }, Array(repeating: "primary", count: cluster.nodes.count), file: file, line: line)
    XCTAssertEqual(nodes.compactMap { $0["slots"] as? Int }.reduce(0, +), 16384, file: file, line: line)
    XCTAssertEqual(nodes.compactMap { $0["state"] as? String }, Array(repeating: "ok", count: cluster.nodes.count), file: file, line: line)
    XCTAssertEqual(nodes.compactMap { $0["keys"] as? Int }.reduce(0, +), keys, file: file, line: line)
    XCTAssertEqual((target["cluster"] as? [String: Any])?["state"] as? String, "ok", file: file, line: line)
    return target
}

func waitUntil(timeoutSeconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeoutSeconds)
    while Date() < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.05)
    }
    return condition()
}

// MARK: - Output checks

/// stderr split into non-empty lines.
func stderrLines(_ result: CLIRunner.Result) -> [String] {
    result.stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
}

/// Asserts what every user-caused error must look like: non-zero exit, exactly one line on stderr that reads as a
/// sentence, nothing that looks like a crash or a stack trace.
func assertOneSentenceError(_ result: CLIRunner.Result, expectedStatus: Int32? = 1, stdoutEmpty: Bool = true,
                            file: StaticString = #filePath, line: UInt = #line) {
    if let expectedStatus {
        XCTAssertEqual(result.status, expectedStatus, "exit status; stderr: \(result.stderr)", file: file, line: line)
    } else {
        XCTAssertNotEqual(result.status, 0, "exit status; stderr: \(result.stderr)", file: file, line: line)
    }
    let lines = stderrLines(result)
    XCTAssertEqual(lines.count, 1, "exactly one line on stderr, got: \(result.stderr)", file: file, line: line)
    if let sentence = lines.first {
        XCTAssertTrue(sentence.hasSuffix(".") || sentence.hasSuffix(")"), "a sentence: \(sentence)", file: file, line: line)
        XCTAssertGreaterThan(sentence.count, 15, "a clear sentence: \(sentence)", file: file, line: line)
    }
    assertNoCrash(result, file: file, line: line)
    if stdoutEmpty {
        XCTAssertEqual(result.stdout, "", "nothing on stdout", file: file, line: line)
    }
}

/// No crash report, stack trace or signal exit.
func assertNoCrash(_ result: CLIRunner.Result, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertLessThan(result.status, 128, "killed by a signal? stderr: \(result.stderr)", file: file, line: line)
    for marker in ["Fatal error", "Stack dump", "Current stack trace", "backtrace", "Segmentation fault", "Illegal instruction"] {
        XCTAssertFalse(result.stderr.contains(marker), "crash marker \(marker) in stderr: \(result.stderr)", file: file, line: line)
    }
    XCTAssertNil(result.stderr.range(of: #"\.swift:\d+"#, options: .regularExpression), "source location in stderr: \(result.stderr)",
                 file: file, line: line)
}

// MARK: - redis-cli INFO

/// `INFO` read by the test itself through redis-cli: field → value, and per-DB keyspace numbers.
struct RedisCLIInfo {
    var fields: [String: String] = [:]
    var keyspace: [Int: (keys: Int, expires: Int)] = [:]

    init(_ server: RedisServerFixture) {
        let text = server.redisCLI(["INFO", "everything"])
        for line in text.components(separatedBy: .newlines) {
            guard !line.hasPrefix("#"), let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon]), value = String(line[line.index(after: colon)...])
            fields[name] = value
            if name.hasPrefix("db"), let db = Int(name.dropFirst(2)) {
                var keys = 0, expires = 0
                for part in value.split(separator: ",") {
                    let pair = part.split(separator: "=")
                    guard pair.count == 2, let number = Int(pair[1]) else { continue }
                    if pair[0] == "keys" { keys = number }
                    if pair[0] == "expires" { expires = number }
                }
                keyspace[db] = (keys, expires)
            }
        }
    }
}

// MARK: - Files

/// A fresh temp directory removed by `cleanup()`.
final class TempDirectory {
    let url: URL
    var path: String { url.path }

    init(_ label: String) throws {
        url = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("cw-cli-\(label)-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { url.appendingPathComponent(name).path }

    func cleanup() { try? FileManager.default.removeItem(at: url) }

    deinit { cleanup() }
}

/// Appends bytes to a file (creating it), as an app's logger does.
func append(_ text: String, to path: String) throws {
    try append(Data(text.utf8), to: path)
}

func append(_ data: Data, to path: String) throws {
    if !FileManager.default.fileExists(atPath: path) {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
    }
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    try handle.seekToEnd()
    try handle.write(contentsOf: data)
}

// MARK: - gzip (recordings)

/// `sh -c script argument` (the argument is `$0`): its stdout and exit status.
func shell(_ script: String, _ argument: String) throws -> (output: String, status: Int32) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", script, argument]
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (String(decoding: data, as: UTF8.self), process.terminationStatus)
}

/// The text of a gzip file (`gzip -dc`; what it could decompress).
func gunzip(_ path: String) throws -> String {
    try shell("gzip -dc < \"$0\" 2>/dev/null", path).output
}

/// `gzip -t`'s exit status: 0 for a complete gzip file.
func gzipTest(_ path: String) throws -> Int32 {
    try shell("gzip -t < \"$0\"", path).status
}

// MARK: - Ports

/// A loopback port nobody listens on (taken from the kernel, then released).
func closedLoopbackPort() -> Int {
    freeLoopbackPort()
}
