/// Turns a census into warnings an operator can act on (the cache guide's rules).
///
/// Codes: `lockstep-expiry` (a wave of keys expiring together: add TTL jitter), `no-ttl` (keys that never
/// expire), `ttl-too-long` (paginated lists with a median TTL above 5 minutes, search results above
/// 15 minutes — the guide's TTL table), `mixed-ttl-pages` (pages of one paginated family whose longest
/// TTLs differ by ≥ 2× and ≥ 60 s: the guide's anti-pattern), `long-negative-ttl` (`__NOT_FOUND__` sentinels
/// living longer than the guide's 30–120 s, or forever), `falsy-values` (values the boilerplate reads back as
/// a miss, so they are rewritten on every request), `never-read` (memcached: most of a family's keys were written and
/// never read), then the key-shape findings of `KeyShapeFindings`.
/// `(other)` is never judged. One sentence each, with the numbers behind it as `evidence`.
public enum Findings {
    /// Warn findings for `report`, in family order.
    public static func evaluate(_ report: CensusReport) -> [Finding] {
        evaluate(report, thresholds: FindingThresholds())
    }

    /// Warn findings for `report` with these thresholds, in family order (the key-shape findings follow each family's TTL ones).
    public static func evaluate(_ report: CensusReport, thresholds: FindingThresholds) -> [Finding] {
        var findings: [Finding] = []
        for family in report.families where family.pattern != "(other)" {
            findings += ttlFindings(family, thresholds: thresholds)
            findings += KeyShapeFindings.evaluate(family, thresholds: thresholds)
        }
        return findings
    }

    private static func ttlFindings(_ family: FamilyReport, thresholds: FindingThresholds) -> [Finding] {
        var findings: [Finding] = []
        let pattern = family.pattern
        if let wave = family.lockstep {
            findings.append(Finding(severity: .warn, code: "lockstep-expiry", pattern: pattern, message:
                "\(wave.keys) keys of \(pattern) (\(percent(wave.fraction)) of those with a TTL) expire within \(seconds(wave.windowSeconds)) "
                + "in \(seconds(wave.startsInSeconds)); add TTL jitter (e.g. ttl + random ±60 s) so they do not expire in lockstep.",
                evidence: [FindingEvidence("keys", wave.keys), FindingEvidence("fraction", wave.fraction),
                           FindingEvidence("window_seconds", wave.windowSeconds), FindingEvidence("starts_in_seconds", wave.startsInSeconds)]))
        }
        if family.noTTL > 0 {
            findings.append(Finding(severity: .warn, code: "no-ttl", pattern: pattern, message:
                "\(family.noTTL) of \(family.keys) keys of \(pattern) have no TTL, so they stay in the cache until evicted; set an expiration.",
                evidence: [FindingEvidence("keys_without_ttl", family.noTTL), FindingEvidence("keys", family.keys)]))
        }
        if let mixed = mixedTTLFinding(family, thresholds: thresholds) { findings.append(mixed) }
        if family.negativeCacheLongTTLKeys > 0 { findings.append(negativeCacheFinding(family)) }
        if family.falsyValueKeys > 0 {
            findings.append(Finding(severity: .warn, code: "falsy-values", pattern: pattern, message:
                "\(grouped(family.falsyValueKeys)) keys of \(pattern) hold an empty or false value ([], {}, 0, \"\", false) "
                + "that the boilerplate reads back as a miss (estimated from \(family.valuesProbed) values looked at), "
                + "so they are recomputed and rewritten on every request; cache a non-empty wrapper or skip caching them.",
                evidence: [FindingEvidence("keys", family.falsyValueKeys), FindingEvidence("values_probed", family.valuesProbed)]))
        }
        if let neverRead = family.neverReadKeys, family.keys >= 10, neverRead > 0, Double(neverRead) >= 0.5 * Double(family.keys) {
            findings.append(Finding(severity: .warn, code: "never-read", pattern: pattern, message:
                "\(grouped(neverRead)) of \(grouped(family.keys)) keys of \(pattern) (\(percent(Double(neverRead) / Double(family.keys)))) "
                + "were written and never read since (memcached fetch=no), so the family is cached for nothing; "
                + "check that reads use the same key, or stop caching it.",
                evidence: [FindingEvidence("keys_never_read", neverRead), FindingEvidence("keys", family.keys)]))
        }
        if let p50 = family.ttlP50Seconds {
            if isPaginated(pattern), p50 > thresholds.paginatedTTLMaxSeconds {
                findings.append(Finding(severity: .warn, code: "ttl-too-long", pattern: pattern, message:
                    "Paginated list \(pattern) has a median TTL of \(seconds(p50)); the guide suggests 1–5 minutes for paginated lists.",
                    evidence: [FindingEvidence("ttl_p50_seconds", p50), FindingEvidence("threshold_seconds", thresholds.paginatedTTLMaxSeconds)]))
            } else if pattern.lowercased().contains("search"), p50 > thresholds.searchTTLMaxSeconds {
                findings.append(Finding(severity: .warn, code: "ttl-too-long", pattern: pattern, message:
                    "Search cache \(pattern) has a median TTL of \(seconds(p50)); the guide suggests 5–15 minutes for search results.",
                    evidence: [FindingEvidence("ttl_p50_seconds", p50), FindingEvidence("threshold_seconds", thresholds.searchTTLMaxSeconds)]))
            }
        }
        return findings
    }

    /// `mixed-ttl-pages`: pages whose longest TTLs differ, or (whatever the page) two TTL settings in the family's remaining TTLs.
    static func mixedTTLFinding(_ family: FamilyReport, thresholds: FindingThresholds) -> Finding? {
        let pattern = family.pattern
        let pages = family.ttlMaxSecondsByPage
        if pages.count >= 2, let longest = pages.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }),
           let shortest = pages.min(by: { ($0.value, $0.key) < ($1.value, $1.key) }),
           longest.value >= thresholds.mixedTTLRatio * shortest.value,
           longest.value - shortest.value >= thresholds.mixedTTLMinDifferenceSeconds {
            return Finding(severity: .warn, code: "mixed-ttl-pages", pattern: pattern, message:
                "Pages of \(pattern) have different TTLs (page \(shortest.key) up to \(seconds(shortest.value)), page \(longest.key) up to "
                + "\(seconds(longest.value))); use one TTL for the whole paginated family so pages expire together.",
                evidence: [FindingEvidence("short_ttl_seconds", shortest.value), FindingEvidence("long_ttl_seconds", longest.value),
                           FindingEvidence("short_page", shortest.key), FindingEvidence("long_page", longest.key)])
        }
        guard isPaginated(pattern), let profile = family.ttlProfile,
              let split = TTLSettingSplit.densest(profile, ratio: thresholds.mixedTTLRatio,
                                                  minimumDifferenceSeconds: thresholds.mixedTTLMinDifferenceSeconds),
              split.densityRatio >= 3 else { return nil }
        return Finding(severity: .warn, code: "mixed-ttl-pages", pattern: pattern, message:
            "Keys of \(pattern) were written with at least two TTL settings (about \(seconds(split.shortSeconds)) and "
            + "\(seconds(split.longSeconds)); \(percent(split.shortShare)) of the keys at or below \(seconds(split.shortSeconds))), "
            + "whatever their page; use one TTL for the whole paginated family so pages expire together.",
            evidence: [FindingEvidence("short_ttl_seconds", split.shortSeconds), FindingEvidence("long_ttl_seconds", split.longSeconds),
                       FindingEvidence("short_share", split.shortShare), FindingEvidence("density_ratio", split.densityRatio),
                       FindingEvidence("keys_sampled", split.keys)])
    }

    private static func negativeCacheFinding(_ family: FamilyReport) -> Finding {
        var lives: [String] = []
        if let longest = family.negativeCacheMaxTTLSeconds, longest > 120 { lives.append("live up to \(seconds(longest))") }
        let noTTL = family.negativeCacheNoTTL
        if noTTL > 0 {
            if noTTL >= family.negativeCacheKeys {
                lives = ["never expire"]
            } else {
                lives.append(lives.isEmpty ? "include \(grouped(noTTL)) that never expire" : "\(grouped(noTTL)) of them never expire")
            }
        }
        var evidence = [FindingEvidence("keys", family.negativeCacheKeys), FindingEvidence("long_ttl_keys", family.negativeCacheLongTTLKeys),
                        FindingEvidence("no_ttl_keys", noTTL), FindingEvidence("values_probed", family.valuesProbed)]
        if let longest = family.negativeCacheMaxTTLSeconds { evidence.append(FindingEvidence("max_ttl_seconds", longest)) }
        return Finding(severity: .warn, code: "long-negative-ttl", pattern: family.pattern, message:
            "\(grouped(family.negativeCacheKeys)) \"\(ValueClass.notFoundSentinelText)\" entries of \(family.pattern) "
            + "\(lives.joined(separator: " and ")) (guide: 30–120 s; estimated from \(family.valuesProbed) values looked at), "
            + "so rows created since keep answering 404; shorten the negative-cache TTL.", evidence: evidence)
    }

    /// A family of list pages: `page_{n}`, `page={n}`, `page{n}`.
    static func isPaginated(_ pattern: String) -> Bool {
        pattern.contains("page_{n}") || pattern.contains("page={n}") || pattern.contains("page{n}") || pattern.contains("page-{n}")
    }

    static func seconds(_ value: Double) -> String {
        if value >= 3600 && value.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Clamp.int(value / 3600)) h" }
        if value >= 120 { return "\(Clamp.int((value / 60).rounded())) min" }
        return "\(Clamp.int(value.rounded())) s"
    }

    /// 40211 → `40,211`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return (value < 0 ? "-" : "") + out
    }

    static func percent(_ fraction: Double) -> String { "\(Clamp.int((fraction * 100).rounded())) %" }
}
