import CachewatchCore
import XCTest

/// Other cachewatch processes in `CLIENT LIST` (issue 8 §7), and the census report kept on screen (§3).
final class ClientListTests: XCTestCase {
    private let text = """
        id=3 addr=127.0.0.1:50001 laddr=127.0.0.1:6379 fd=8 name=cachewatch age=9 idle=0 flags=N db=0 cmd=client|list user=default
        id=4 addr=127.0.0.1:50002 laddr=127.0.0.1:6379 fd=9 name=cachewatch age=9 idle=0 flags=N db=0 cmd=pttl user=default
        id=5 addr=127.0.0.1:50003 laddr=127.0.0.1:6379 fd=10 name=cachewatch age=5 idle=0 flags=N db=0 cmd=info user=default
        id=6 addr=127.0.0.1:50004 laddr=127.0.0.1:6379 fd=11 name=cachewatch age=5 idle=0 flags=N db=0 cmd=type user=default
        id=7 addr=127.0.0.1:50005 laddr=127.0.0.1:6379 fd=12 name=cachewatch age=4 idle=0 flags=N db=0 cmd=info user=default
        id=8 addr=127.0.0.1:50006 laddr=127.0.0.1:6379 fd=13 name= age=100 idle=0 flags=N db=0 cmd=get user=default
        garbage line without fields
        """

    func testParsesAddressNameAndLastCommand() {
        let entries = ClientList.parse(text)
        XCTAssertEqual(entries.count, 6)
        XCTAssertEqual(entries[0], ClientListEntry(address: "127.0.0.1:50001", name: "cachewatch", lastCommand: "client|list", idleSeconds: 0))
        XCTAssertEqual(entries[5].name, "")
    }

    func testIdleSecondsAreReadOnlyWhenPlainCounts() {
        let lines = ["idle=7", "idle=-3", "idle=", "idle=12x", "idle=99999999999999999999", "idle=0042", ""]
        let idle = lines.map { ClientList.parse("id=1 addr=1.2.3.4:5 name=app \($0) cmd=get")[0].idleSeconds }
        XCTAssertEqual(idle, [7, nil, nil, nil, nil, 42, nil])
    }

    func testAppClientsAreSilentWhenEveryOtherConnectionIsIdleLongEnough() {
        func line(_ name: String, _ idle: String?) -> String {
            "id=1 addr=127.0.0.1:1 name=\(name) " + (idle.map { "idle=\($0) " } ?? "") + "cmd=get\n"
        }
        func silent(_ lines: [String], _ seconds: Int) -> Bool {
            ClientList.appClientsSilent(inReply: lines.joined(), forMoreThanSeconds: seconds)
        }
        XCTAssertTrue(silent([line("cachewatch", "0"), line("", "2"), line("web", "30")], 1))
        XCTAssertFalse(silent([line("cachewatch", "0"), line("", "1")], 1), "idle=1 counts clock ticks: the last command may be a millisecond old")
        XCTAssertFalse(silent([line("cachewatch", "0"), line("", "0")], 1))
        XCTAssertFalse(silent([line("web", "2")], 2))
        XCTAssertFalse(silent([line("web", nil)], 1), "no idle= field: assume busy")
        XCTAssertFalse(silent([line("web", "999999999999")], Int.max), "no overflow")
        XCTAssertTrue(silent([line("cachewatch", "0")], 1), "only cachewatch connected")
    }

    func testAppClientsSilentReadsTheReplyUpToTheFirstBusyConnection() {
        let reply = """
            id=3 addr=127.0.0.1:50001 fd=8 name=cachewatch age=9 idle=0 flags=N db=0 cmd=client|list
            id=8 addr=127.0.0.1:50006 fd=13 name= age=100 idle=5 flags=N db=0 cmd=get

            """
        XCTAssertTrue(ClientList.appClientsSilent(inReply: reply, forMoreThanSeconds: 1))
        XCTAssertFalse(ClientList.appClientsSilent(inReply: reply + "id=9 addr=127.0.0.1:50007 name=web idle=0 cmd=set\n",
                                                   forMoreThanSeconds: 1))
        XCTAssertFalse(ClientList.appClientsSilent(inReply: "", forMoreThanSeconds: 1), "no connection listed: unreadable")
        XCTAssertFalse(ClientList.appClientsSilent(inReply: "ERR garbage\n\u{1b}[2J", forMoreThanSeconds: 1))
        XCTAssertEqual(ClientList.parse(reply).count, 2)
    }

    func testCountsOtherProcessesByTheirCollectors() {
        let entries = ClientList.parse(text)
        let ours: Set<String> = ["127.0.0.1:50001", "127.0.0.1:50002"]
        XCTAssertEqual(ClientList.otherCachewatchCount(in: entries, ownAddresses: ours, ownConnectionCount: 2), 2)
        // Alone on the server: none.
        XCTAssertEqual(ClientList.otherCachewatchCount(in: Array(entries.prefix(2)) + [entries[5]], ownAddresses: ours,
                                                       ownConnectionCount: 2), 0)
        // Another process without a collector connection seen (census only): still one.
        XCTAssertEqual(ClientList.otherCachewatchCount(in: Array(entries.prefix(2)) + [entries[3]], ownAddresses: ours,
                                                       ownConnectionCount: 2), 1)
    }

    func testUnixSocketClientsAreTakenAsOursByCount() {
        let socket = (0..<4).map { ClientListEntry(address: "/tmp/r.sock:0", name: "cachewatch", lastCommand: $0 % 2 == 0 ? "info" : "pttl") }
        XCTAssertEqual(ClientList.otherCachewatchCount(in: Array(socket.prefix(2)), ownAddresses: [], ownConnectionCount: 2), 0)
        XCTAssertEqual(ClientList.otherCachewatchCount(in: socket, ownAddresses: [], ownConnectionCount: 2), 1)
    }

    func testACompleteCensusStaysUntilTheNextCompletes() {
        let complete = CensusReport(db: 0, complete: true, scannedKeys: 100, estimatedKeys: 100, families: [], forecast: [])
        let partial = CensusReport(db: 0, complete: false, scannedKeys: 10, estimatedKeys: 97, families: [], forecast: [])
        let next = CensusReport(db: 0, complete: true, scannedKeys: 101, estimatedKeys: 101, families: [], forecast: [])
        XCTAssertEqual(CensusReport.shown(current: nil, incoming: partial), partial)
        XCTAssertEqual(CensusReport.shown(current: partial, incoming: complete), complete)
        XCTAssertEqual(CensusReport.shown(current: complete, incoming: partial), complete, "a partial pass replaced a complete one")
        XCTAssertEqual(CensusReport.shown(current: complete, incoming: next), next)
    }

    func testAnUnavailableCensusCarriesItsReason() {
        let report = CensusReport.unavailable(db: 2, reason: "The census cannot run: SCAN denied.")
        XCTAssertEqual(report.notes, ["The census cannot run: SCAN denied."])
        XCTAssertFalse(report.complete)
        XCTAssertEqual(report.forecast.count, 60)
    }
}
