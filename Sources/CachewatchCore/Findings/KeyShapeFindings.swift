/// Findings about how a family's keys are named (the guide's "Avoid prefixes that …" list).
///
/// Codes: `raw-id-prefix` (the key starts with the id: `{id}_comments`, `42:profile`), `free-text-key`
/// (keys holding spaces or long free text: `search:red running shoes`), `generic-prefix` (a top-level prefix
/// such as `data` or `tmp` directly followed by an id: `data:42`).
public enum KeyShapeFindings {
    /// The key-shape findings of one family.
    public static func evaluate(_ family: FamilyReport, thresholds: FindingThresholds = FindingThresholds()) -> [Finding] {
        let pattern = family.pattern
        guard pattern != "(other)" else { return [] }
        var findings: [Finding] = []
        if let placeholder = leadingPlaceholder(pattern) {
            let rest = String(pattern.dropFirst(placeholder.count)).drop { separators.contains($0) }
            let better = rest.isEmpty ? "resource:\(placeholder)" : "\(rest):\(placeholder)"
            findings.append(Finding(severity: .warn, code: "raw-id-prefix", pattern: pattern, message:
                "Keys of \(pattern) start with the id, so another resource keyed the same way collides silently "
                + "(guide: avoid raw resource IDs as the prefix); put the resource name first, e.g. \(better).",
                evidence: [FindingEvidence("keys", family.keys)]))
        }
        if let text = freeText(family, minimumLength: thresholds.freeTextMinLength) {
            findings.append(Finding(severity: .warn, code: "free-text-key", pattern: pattern, message:
                "Keys of \(pattern) hold free text (\(text.hasSpace ? "spaces" : "a \(text.length)-character segment of words")), so every "
                + "query is its own key and the key grows with the input; hash long/free-text inputs first (guide), e.g. sha256 of the query.",
                evidence: [FindingEvidence("keys", family.keys), FindingEvidence("longest_segment_length", text.length),
                           FindingEvidence("threshold_length", thresholds.freeTextMinLength)]))
        }
        if let prefix = genericPrefix(pattern, generic: thresholds.genericPrefixes) {
            findings.append(Finding(severity: .warn, code: "generic-prefix", pattern: pattern, message:
                "\(pattern) files ids under the generic prefix \"\(prefix)\", so unrelated resources end up at the same level "
                + "(guide: a debug nightmare); name the resource in the prefix, e.g. widget:{id}.",
                evidence: [FindingEvidence("keys", family.keys)]))
        }
        return findings
    }

    static let separators: Set<Character> = [":", "_", "-", ".", "/", "|", "#"]

    /// `{id}` for `{id}_comments` or `{id}:profile`; nil when the key starts with a name.
    static func leadingPlaceholder(_ pattern: String) -> String? {
        guard pattern.hasPrefix("{"), let close = pattern.firstIndex(of: "}") else { return nil }
        return String(pattern[...close])
    }

    /// The generic first word (`data`) when it is directly followed by a placeholder (`data:{id}`, `tmp_{id}`).
    static func genericPrefix(_ pattern: String, generic: [String]) -> String? {
        guard let cut = pattern.firstIndex(where: { separators.contains($0) }) else { return nil }
        let first = pattern[..<cut].lowercased()
        let next = pattern[pattern.index(after: cut)...]
        guard generic.contains(first), next.hasPrefix("{") else { return nil }
        return first
    }

    /// Free text in the family's example keys (or its pattern): a space, or a segment at least `minimumLength`
    /// long made of three or more words (a hash or an id is one run of characters).
    static func freeText(_ family: FamilyReport, minimumLength: Int) -> (hasSpace: Bool, length: Int)? {
        var found: (hasSpace: Bool, length: Int)?
        for key in family.examples + [family.pattern] {
            for segment in key.split(separator: ":") {
                let length = segment.count
                if segment.contains(" ") {
                    found = (true, max(found?.length ?? 0, length))
                } else if length >= minimumLength, wordCount(segment) >= 3, found?.hasSpace != true {
                    found = (false, max(found?.length ?? 0, length))
                }
            }
        }
        return found
    }

    /// Whether a segment reads as words: split on `_ - + .` or `%20`, at least three parts of 2–20 letters,
    /// and at least half of the parts such words (a hash, a token or a JWT is long runs of mixed characters).
    static func wordCount(_ segment: Substring) -> Int {
        let text = segment.replacingOccurrences(of: "%20", with: " ")
        let parts = text.split(whereSeparator: { " _-+.".contains($0) })
        let words = parts.filter { (2...20).contains($0.count) && $0.allSatisfy(\.isLetter) }.count
        return words * 2 >= parts.count ? words : 0
    }
}
