import Foundation

/// How deep a full census may queue its pipeline, decided from whether other clients are using the server (pure).
///
/// Redis runs one client's queued commands at a time, so a deep pipeline (a whole next page of ~2,000 lookups queued)
/// is the fastest way to read a keyspace and the worst for an app waiting behind it. While nobody else sends commands
/// nobody waits: the census may go deep. The runner feeds the number of commands other clients ran (`INFO
/// commandstats` without the census's own commands, `otherClientsCalls`) every `probeSeconds`; the policy goes deep
/// only after `idleObservationsToDeepen` idle intervals in a row (by default a whole second of silence: 10 × 0.1 s) and
/// back to shallow at the first busy (or unknown) one: hysteresis that favours the app. While deep it asks every
/// `deepProbeSeconds` (0.05 s, twice as often), so an app that starts waits behind the deep pipeline about half as
/// long. When the server itself shows that second of silence at the start of a pass (every app connection's `idle=`
/// in `CLIENT LIST` at 2 or more, see `ClientList.appClientsSilent`), the census goes deep at once
/// (`noteSilenceAlreadySeen`).
public struct CensusDepthPolicy: Sendable, Equatable {
    /// The two pipelines a full census runs with.
    public enum Depth: Sendable, Equatable {
        /// Few commands in flight, small SCANs: other clients are served between two small batches.
        case shallow
        /// A whole next page queued behind the current one, big SCANs: as fast as Redis answers.
        case deep
    }

    /// Other clients' commands per second at or below this count as idle (a stray health check is not an app).
    public var idleCommandsPerSecond: Double
    /// Idle intervals in a row before going deep.
    public var idleObservationsToDeepen: Int
    /// How often the runner should ask while shallow (seconds).
    public var probeSeconds: Double
    /// How often the runner should ask while deep (seconds): an app that starts is noticed within this, since every
    /// moment deep holds its requests behind milliseconds of the census's work (each question costs Redis about 0.14 ms
    /// and the census a round trip, so not more often).
    public var deepProbeSeconds: Double
    /// The interval to wait before the next question, at the depth now.
    public var nextProbeSeconds: Double { depth == .deep ? deepProbeSeconds : probeSeconds }
    /// The depth now (shallow until enough idle intervals were seen).
    public private(set) var depth: Depth = .shallow
    private var idleStreak = 0
    private var last: (calls: Int, at: Date)?

    public init(idleCommandsPerSecond: Double = 5, idleObservationsToDeepen: Int = 10, probeSeconds: Double = 0.1,
                deepProbeSeconds: Double = 0.05) {
        self.idleCommandsPerSecond = max(0, idleCommandsPerSecond)
        self.idleObservationsToDeepen = max(1, idleObservationsToDeepen)
        self.probeSeconds = probeSeconds.isFinite ? min(60, max(0.01, probeSeconds)) : 0.1
        self.deepProbeSeconds = deepProbeSeconds.isFinite ? min(self.probeSeconds, max(0.005, deepProbeSeconds)) : self.probeSeconds
    }

    /// Feeds the cumulative count of other clients' calls read at `at` (nil: unknown, e.g. INFO denied) and returns
    /// the depth to use from now on. A counter that went back (restart, `CONFIG RESETSTAT`) starts over, shallow.
    @discardableResult
    public mutating func observe(otherClientsCalls calls: Int?, at now: Date) -> Depth {
        guard let calls, calls >= 0 else { return reset() }
        defer { last = (calls, now) }
        guard let previous = last else { return depth }
        let seconds = now.timeIntervalSince(previous.at)
        guard calls >= previous.calls, seconds > 0 else { return reset() }
        let perSecond = Double(calls - previous.calls) / seconds
        if perSecond <= idleCommandsPerSecond {
            idleStreak += 1
            if idleStreak >= idleObservationsToDeepen { depth = .deep }
        } else {
            idleStreak = 0
            depth = .shallow
        }
        return depth
    }

    /// Deep at once: the server showed that no other client has sent anything for longer than the silence the policy
    /// waits for (`CLIENT LIST`'s `idle=`, see `ClientList.appClientsSilent`), so the census need not watch that
    /// silence again. The next busy interval still goes back to shallow.
    public mutating func noteSilenceAlreadySeen() {
        idleStreak = idleObservationsToDeepen
        depth = .deep
    }

    /// The whole seconds of silence `noteSilenceAlreadySeen` needs evidence of (what the idle intervals add up to,
    /// rounded up to whole seconds; `ClientList.appClientsSilent` asks for more than that).
    public var silenceSecondsToDeepen: Int {
        let seconds = (Double(idleObservationsToDeepen) * probeSeconds).rounded(.up)
        return seconds < 1 ? 1 : (seconds > 3600 ? 3600 : Int(seconds))
    }

    /// Back to shallow with no baseline.
    private mutating func reset() -> Depth {
        idleStreak = 0
        depth = .shallow
        last = nil
        return depth
    }

    public static func == (lhs: CensusDepthPolicy, rhs: CensusDepthPolicy) -> Bool {
        lhs.depth == rhs.depth && lhs.idleStreak == rhs.idleStreak && lhs.last?.calls == rhs.last?.calls
            && lhs.last?.at == rhs.last?.at && lhs.idleCommandsPerSecond == rhs.idleCommandsPerSecond
            && lhs.idleObservationsToDeepen == rhs.idleObservationsToDeepen && lhs.probeSeconds == rhs.probeSeconds
            && lhs.deepProbeSeconds == rhs.deepProbeSeconds
    }

    /// Commands cachewatch itself sends (`INFO commandstats` names): every other command is another client's.
    public static let observerCommands: Set<String> = [
        "scan", "type", "pttl", "memory|usage", "strlen", "getrange", "info", "ping", "dbsize", "select", "auth",
        "client|setname", "client|no-touch", "client|list", "cluster|shards", "cluster|nodes", "cluster|info", "readonly",
    ]

    /// The calls of every command in `commandStats` that cachewatch never sends (what other clients ran).
    public static func otherClientsCalls(_ commandStats: [String: CommandStat]) -> Int {
        var total = 0
        for (name, stat) in commandStats where !observerCommands.contains(name) {
            let (sum, overflow) = total.addingReportingOverflow(max(0, stat.calls))
            total = overflow ? Int.max : sum
        }
        return total
    }
}
