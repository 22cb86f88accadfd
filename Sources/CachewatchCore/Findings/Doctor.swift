/// What the doctor looks at: whatever one sample of the cache produced (any part may be missing).
public struct DoctorInput: Sendable {
    public var census: CensusReport?
    public var info: InfoSnapshot?
    public var rates: InfoRates?
    public var logs: LogsReport?
    /// Why the server could not be read (connection, auth), already redacted.
    public var redisError: String?

    public init(census: CensusReport? = nil, info: InfoSnapshot? = nil, rates: InfoRates? = nil, logs: LogsReport? = nil,
                redisError: String? = nil) {
        self.census = census
        self.info = info
        self.rates = rates
        self.logs = logs
        self.redisError = redisError
    }
}

/// The findings of one sample, assembled once for the dashboard, `snapshot`, `watch` and `check`.
public enum Doctor {
    /// Census findings in family order, then the server's, minus what `silences` hide.
    public static func findings(_ input: DoctorInput, thresholds: FindingThresholds = FindingThresholds(),
                                silences: [FindingSilence] = []) -> [Finding] {
        let all = (input.census.map { Findings.evaluate($0, thresholds: thresholds) } ?? [])
            + (input.census.map { HotShardFindings.evaluate($0) } ?? [])
            + (input.info.map { HotShardFindings.clusterState($0) } ?? [])
            + ServerFindings.evaluate(input, thresholds: thresholds)
            + (input.logs?.patternDeletions.finding.map { [$0] } ?? [])
        return all.filter { finding in !silences.contains { $0.matches(finding) } }
    }
}
