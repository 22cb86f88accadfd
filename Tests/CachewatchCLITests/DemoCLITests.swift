import Foundation
import XCTest

/// `cachewatch demo --text --duration 8s`: runs, summarises, and leaves nothing behind.
final class DemoCLITests: XCTestCase {
    func testDemoTextRunsSummarisesAndCleansUp() throws {
        let tmp = try TempDirectory("demo")
        defer { tmp.cleanup() }
        let result = try CLIRunner.run(["demo", "--text", "--duration", "8s"], environment: ["TMPDIR": tmp.path], timeoutSeconds: 90)
        XCTAssertEqual(result.status, 0, result.stderr)
        assertNoCrash(result)

        // The temp dir it announced is inside our TMPDIR and gone.
        let announced = try XCTUnwrap(result.stdout.range(of: #"starting redis-server in (\S+)"#, options: .regularExpression),
                                      result.stdout)
        let demoDirectory = String(result.stdout[announced].split(separator: " ").last ?? "")
        XCTAssertTrue(demoDirectory.hasPrefix(tmp.path), "\(demoDirectory) under TMPDIR \(tmp.path)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: demoDirectory), "the demo removed its temp dir")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp.path), [], "nothing left in TMPDIR")

        // A summary with families, health and fail-open numbers.
        XCTAssertTrue(result.stdout.contains("families in db0:"), result.stdout)
        XCTAssertTrue(result.stdout.contains("widget:{id}"), result.stdout)
        XCTAssertTrue(result.stdout.contains("user_{id}_widgets:page_{n}:size_{n}:{id}"), result.stdout)
        XCTAssertTrue(result.stdout.contains("ops/s"), result.stdout)
        XCTAssertTrue(result.stdout.contains("fail-open"), result.stdout)
        XCTAssertFalse(result.stdout.contains("\u{1B}"), "no terminal escapes in --text output")

        // Its redis-server is gone: no such process (redis-server retitles itself `redis-server HOST:PORT`),
        // nothing answers on its port.
        let port = try XCTUnwrap(Self.port(in: result.stdout), "the demo names its port: \(result.stdout)")
        XCTAssertEqual(redisServers(port: port), [], "no redis-server left running")
        XCTAssertFalse(acceptsConnections(port: port), "port \(port) closed after the demo")
    }

    func testCtrlCStopsTheDemoAndRemovesEverything() throws {
        let tmp = try TempDirectory("demo-int")
        defer { tmp.cleanup() }
        let demo = try StreamingCLIProcess(["demo", "--text"], environment: ["TMPDIR": tmp.path])
        XCTAssertTrue(demo.waitForLines(2, timeoutSeconds: 30), "the demo announces its server")
        let announced = demo.lines.map(\.text).joined(separator: "\n")
        let directory = try XCTUnwrap(demo.lines.first?.text.split(separator: " ").last.map(String.init), announced)
        XCTAssertTrue(directory.hasPrefix(tmp.path), announced)
        let port = try XCTUnwrap(Self.port(in: announced), announced)
        XCTAssertEqual(redisServers(port: port).count, 1, "its redis-server runs")
        XCTAssertTrue(acceptsConnections(port: port))
        demo.send(SIGINT)
        XCTAssertEqual(demo.waitForExit(timeoutSeconds: 20), 0, demo.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory), "temp dir removed after Ctrl-C")
        XCTAssertEqual(redisServers(port: port), [], "no redis-server left after Ctrl-C")
        XCTAssertFalse(acceptsConnections(port: port))
    }

    /// The port in `redis-server on 127.0.0.1:PORT`.
    private static func port(in text: String) -> Int? {
        guard let range = text.range(of: #"redis-server on 127\.0\.0\.1:\d+"#, options: .regularExpression) else { return nil }
        return Int(text[range].split(separator: ":").last ?? "")
    }

    /// PIDs of redis-server processes serving 127.0.0.1:port.
    private func redisServers(port: Int) -> [Int32] {
        processes(mentioning: "127.0.0.1:\(port)").filter { pid in
            let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
            return String(decoding: data, as: UTF8.self).contains("redis-server")
        }
    }

    /// PIDs whose command line mentions `text` (scanning /proc).
    private func processes(mentioning text: String) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry),
                  let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"), !data.isEmpty else { return nil }
            let commandLine = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            return commandLine.contains(text) ? pid : nil
        }
    }

    private func acceptsConnections(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return connected == 0
    }
}
