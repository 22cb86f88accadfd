/// How much of a census's pipeline may be on the wire at once (bounded pipeline depth, issue 9 §2).
///
/// Redis reads a client's queued commands in chunks (up to 16 KB per read, several hundred TYPE/PTTL) and runs a
/// whole chunk before it serves any other client, so a census that writes a page of thousands of commands in one go
/// makes every other client wait hundreds of µs, again and again. The window keeps at most `maxCommandsInFlight`
/// commands written and not read back, written `batchCommands` at a time: Redis never finds more than that queued
/// from the census, and the app's commands get their turn between two small batches. Two batches in flight keep
/// Redis busy while the census reads the previous batch's replies.
public struct PipelineWindow: Sendable, Equatable {
    /// Commands written in one write (a batch never spans two pages).
    public let batchCommands: Int
    /// Commands written and not read back, at most.
    public let maxCommandsInFlight: Int
    /// Commands written and not read back now.
    public private(set) var inFlight = 0
    /// One write at a time, each written once the previous one is answered, and a page's head (NO-TOUCH, SCAN) in a
    /// write of its own (`CensusPageStream.nextWrite`): Redis never runs more than one small write of the census
    /// between two turns of its other clients.
    public let isolatesHeads: Bool

    /// Batches of 64 commands, at most two in flight (budgeted mode's window in sessions 17–18, pages of about 21
    /// commands going out whole).
    public static let census = PipelineWindow(batchCommands: 64, maxCommandsInFlight: 128)

    /// Budgeted mode: a page's SCAN alone, then its lookups in writes of at most 20 commands, one write at a time.
    /// A SCAN of 10 keys holds Redis about 20 µs and the lookups of 10 keys about 14 µs; together in one write they
    /// held every other client about 35 µs, 500 times a second. Measured on 1 M keys next to `redis-benchmark -t get
    /// -c 10` with a C program sending the census's traffic (2026-11-30, 5 rounds, medians of the app's p99): alone
    /// 0.263 ms, one write a page 0.343 ms, SCAN and lookups in two round trips 0.295 ms.
    public static let budgeted = PipelineWindow(batchCommands: 20, maxCommandsInFlight: 20, isolatesHeads: true)

    /// Budgeted mode while yielding to a busy server: a page's SCAN alone, then its lookups (up to 64 keys) in one write,
    /// so a page costs two round trips, twice a second (`CensusOptions.yieldingScanCount`).
    public static let yielding = PipelineWindow(batchCommands: 128, maxCommandsInFlight: 128, isolatesHeads: true)

    /// A full census while other clients use the server (`CensusDepthPolicy`): writes of 21 commands (a page of 10 keys:
    /// SCAN + TYPE and PTTL each), at most two in flight. Measured next to `redis-benchmark -t get -c 10` on 1 M keys
    /// (2026-11-30): the app's p99 0.45–0.56 ms against 1.16–1.18 ms with SCAN 64 and writes of 64 (two in flight),
    /// requests/s −25–30 % against −57–60 %; one pass took 15–17 s against 11–13 s.
    public static let shallow = PipelineWindow(batchCommands: 21, maxCommandsInFlight: 42)

    /// A full census on a server nobody else is using (`CensusDepthPolicy`): writes of 512 commands and up to 4,608 in
    /// flight, so a whole next page of 1,000 keys (2,001 commands) is queued behind the current one, as before the
    /// bounded window: Redis never waits for the census.
    public static let deep = PipelineWindow(batchCommands: 512, maxCommandsInFlight: 4608)

    /// `limits`'s batch and depth with this window's commands in flight (the census changes depth mid-pass).
    public func resized(like limits: PipelineWindow) -> PipelineWindow {
        var resized = limits
        resized.inFlight = inFlight
        return resized
    }

    /// Both limits are at least 1, and the window holds at least one batch.
    public init(batchCommands: Int, maxCommandsInFlight: Int, isolatesHeads: Bool = false) {
        self.batchCommands = max(1, batchCommands)
        self.maxCommandsInFlight = max(self.batchCommands, maxCommandsInFlight)
        self.isolatesHeads = isolatesHeads
    }

    /// How many of `available` queued commands may be written now (0: read replies first). Only a whole batch (or
    /// all of a shorter rest) goes out: writing whatever small room a read freed would split the stream into ever
    /// smaller writes, one round trip each (the silly-window problem).
    public func writable(available: Int) -> Int {
        if isolatesHeads && inFlight > 0 { return 0 }
        let wanted = max(0, min(available, batchCommands))
        return maxCommandsInFlight - inFlight >= wanted ? wanted : 0
    }

    /// Books `count` commands written.
    public mutating func wrote(_ count: Int) { inFlight += max(0, count) }

    /// Books `count` replies read.
    public mutating func read(_ count: Int) { inFlight = max(0, inFlight - max(0, count)) }

    /// Forgets everything in flight (the connection and its unread replies are gone).
    public mutating func reset() { inFlight = 0 }

}
