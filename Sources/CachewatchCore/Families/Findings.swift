/// Turns a census into warnings an operator can act on (the cache guide's rules).
///
/// Codes: `lockstep-expiry` (a wave of keys expiring together: add TTL jitter), `no-ttl` (keys that never
/// expire), `ttl-too-long` (paginated lists with a median TTL above 5 minutes, search results above
/// 15 minutes — the guide's TTL table), `mixed-ttl-pages` (pages of one paginated family whose longest
/// TTLs differ by ≥ 2× and ≥ 60 s: the guide's anti-pattern), `long-negative-ttl` (`__NOT_FOUND__` sentinels
/// living longer than the guide's 30–120 s, or forever), `falsy-values` (values the boilerplate reads back as
/// a miss, so they are rewritten on every request), `never-read` (memcached: most of a family's keys were written and
/// never read). `(other)` is never judged. One sentence each.
public enum Findings {
    /// Warn findings for `report`, in family order.
    public static func evaluate(_ report: CensusReport) -> [Finding] {
        var findings: [Finding] = []
        for family in report.families where family.pattern != "(other)" {
            let pattern = family.pattern
            if let wave = family.lockstep {
                findings.append(Finding(severity: .warn, code: "lockstep-expiry", pattern: pattern, message:
                    "\(wave.keys) keys of \(pattern) (\(percent(wave.fraction)) of those with a TTL) expire within \(seconds(wave.windowSeconds)) "
                    + "in \(seconds(wave.startsInSeconds)); add TTL jitter (e.g. ttl + random ±60 s) so they do not expire in lockstep."))
            }
            if family.noTTL > 0 {
                findings.append(Finding(severity: .warn, code: "no-ttl", pattern: pattern, message:
                    "\(family.noTTL) of \(family.keys) keys of \(pattern) have no TTL, so they stay in the cache until evicted; set an expiration."))
            }
            let pages = family.ttlMaxSecondsByPage
            if pages.count >= 2, let longest = pages.max(by: { $0.value < $1.value }), let shortest = pages.min(by: { $0.value < $1.value }),
               longest.value >= 2 * shortest.value, longest.value - shortest.value >= 60 {
                findings.append(Finding(severity: .warn, code: "mixed-ttl-pages", pattern: pattern, message:
                    "Pages of \(pattern) have different TTLs (page \(shortest.key) up to \(seconds(shortest.value)), page \(longest.key) up to "
                    + "\(seconds(longest.value))); use one TTL for the whole paginated family so pages expire together."))
            }
            if family.negativeCacheLongTTLKeys > 0 {
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
                findings.append(Finding(severity: .warn, code: "long-negative-ttl", pattern: pattern, message:
                    "\(grouped(family.negativeCacheKeys)) \"\(ValueClass.notFoundSentinelText)\" entries of \(pattern) "
                    + "\(lives.joined(separator: " and ")) (guide: 30–120 s; estimated from \(family.valuesProbed) values looked at), "
                    + "so rows created since keep answering 404; shorten the negative-cache TTL."))
            }
            if family.falsyValueKeys > 0 {
                findings.append(Finding(severity: .warn, code: "falsy-values", pattern: pattern, message:
                    "\(grouped(family.falsyValueKeys)) keys of \(pattern) hold an empty or false value ([], {}, 0, \"\", false) "
                    + "that the boilerplate reads back as a miss (estimated from \(family.valuesProbed) values looked at), "
                    + "so they are recomputed and rewritten on every request; cache a non-empty wrapper or skip caching them."))
            }
            if let neverRead = family.neverReadKeys, family.keys >= 10, neverRead > 0, Double(neverRead) >= 0.5 * Double(family.keys) {
                findings.append(Finding(severity: .warn, code: "never-read", pattern: pattern, message:
                    "\(grouped(neverRead)) of \(grouped(family.keys)) keys of \(pattern) (\(percent(Double(neverRead) / Double(family.keys)))) "
                    + "were written and never read since (memcached fetch=no), so the family is cached for nothing; "
                    + "check that reads use the same key, or stop caching it."))
            }
            if let p50 = family.ttlP50Seconds {
                if isPaginated(pattern), p50 > 300 {
                    findings.append(Finding(severity: .warn, code: "ttl-too-long", pattern: pattern, message:
                        "Paginated list \(pattern) has a median TTL of \(seconds(p50)); the guide suggests 1–5 minutes for paginated lists."))
                } else if pattern.lowercased().contains("search"), p50 > 900 {
                    findings.append(Finding(severity: .warn, code: "ttl-too-long", pattern: pattern, message:
                        "Search cache \(pattern) has a median TTL of \(seconds(p50)); the guide suggests 5–15 minutes for search results."))
                }
            }
        }
        return findings
    }

    /// A family of list pages: `page_{n}`, `page={n}`, `page{n}`.
    static func isPaginated(_ pattern: String) -> Bool {
        pattern.contains("page_{n}") || pattern.contains("page={n}") || pattern.contains("page{n}") || pattern.contains("page-{n}")
    }

    static func seconds(_ value: Double) -> String {
        if value >= 3600 && value.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Int(value / 3600)) h" }
        if value >= 120 { return "\(Int((value / 60).rounded())) min" }
        return "\(Int(value.rounded())) s"
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

    static func percent(_ fraction: Double) -> String { "\(Int((fraction * 100).rounded())) %" }
}
