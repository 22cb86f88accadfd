import Foundation

/// One `INFO keysizes` line of Redis ≥ 8: `db0_distrib_strings_sizes:0=1,2=2,4=3,1K=2,512K=1`.
///
/// Redis counts, per DB and type, how many keys fall in each power-of-two bin: a bin labelled `4` holds
/// strings of 4…7 bytes (`strings_sizes`) or collections of 4…7 items (`lists_items`, `sets_items`,
/// `zsets_items`, `hashes_items`); `K`, `M`, `G`, `T`, `P` multiply by 1024 steps; `0` holds empty
/// values. These lines are not keyspace lines (`db0_…` is not `db0`). Parsing is bounded: at most 64
/// bins, labels up to 2^62, non-negative counts; a malformed line is no histogram.
public struct KeySizeHistogram: Sendable, Equatable {
    /// One bin: keys whose size is at least `lowerBound` (and below the next power of two).
    public struct Bin: Sendable, Equatable {
        public var lowerBound: Int
        public var keys: Int
        public init(lowerBound: Int, keys: Int) {
            self.lowerBound = lowerBound
            self.keys = keys
        }
    }

    public var db: Int
    /// What is measured: `strings_sizes` (bytes) or `<type>s_items` (elements), as Redis names it.
    public var metric: String
    /// Bins in ascending order.
    public var bins: [Bin]

    public init(db: Int, metric: String, bins: [Bin]) {
        self.db = db
        self.metric = metric
        self.bins = bins
    }

    /// Keys counted over all bins.
    public var totalKeys: Int { bins.reduce(0) { $0.addingReportingOverflow($1.keys).overflow ? Int.max : $0 + $1.keys } }

    /// The type the line is about: `string`, `list`, `set`, `zset`, `hash` (or the metric's first word).
    public var type: String {
        let word = metric.split(separator: "_").first.map(String.init) ?? metric
        switch word {
        case "hashes": return "hash"
        case "strings", "lists", "sets", "zsets", "streams": return String(word.dropLast())
        default: return word
        }
    }

    /// Whether the bins count bytes (`strings_sizes`) rather than elements.
    public var countsBytes: Bool { metric.hasSuffix("_sizes") }

    /// The bin holding the median key (its lower bound); nil without keys.
    public var medianLowerBound: Int? { quantileLowerBound(0.5) }

    /// The lower bound of the bin holding the `q`-quantile key (0…1); nil without keys.
    public func quantileLowerBound(_ q: Double) -> Int? {
        let total = totalKeys
        guard total > 0, q.isFinite else { return nil }
        let rank = max(1, Int((Double(total) * min(1, max(0, q))).rounded(.up)))
        var seen = 0
        for bin in bins {
            seen += bin.keys
            if seen >= rank { return bin.lowerBound }
        }
        return bins.last?.lowerBound
    }

    /// `{"type": "string", "metric": "strings_sizes", "unit": "bytes", "bins": [{"min": 4, "keys": 3}, …]}`.
    public var json: JSONValue {
        .object([("type", .string(type)), ("metric", .string(metric)), ("unit", .string(countsBytes ? "bytes" : "items")),
                 ("bins", .array(bins.map { .object([("min", .int($0.lowerBound)), ("keys", .int($0.keys))]) }))])
    }

    // MARK: - Parsing

    static let maxBins = 64

    /// `db12_distrib_strings_sizes` → (12, `strings_sizes`); anything else → nil.
    static func field(_ key: String) -> (db: Int, metric: String)? {
        guard key.hasPrefix("db"), let marker = key.range(of: "_distrib_") else { return nil }
        let digits = key[key.index(key.startIndex, offsetBy: 2)..<marker.lowerBound]
        guard !digits.isEmpty, digits.count <= 6, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let db = Int(digits) else { return nil }
        let metric = String(key[marker.upperBound...])
        guard !metric.isEmpty, metric.count <= 40 else { return nil }
        return (db, metric)
    }

    /// Parses the value of a keysizes line (`0=1,2=2,1K=2`); nil when malformed.
    static func parse(db: Int, metric: String, value: String) -> KeySizeHistogram? {
        var bins: [Bin] = []
        for piece in value.split(separator: ",") {
            guard bins.count < maxBins else { return nil }
            let parts = piece.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let lower = size(parts[0].trimmingCharacters(in: .whitespaces)),
                  let keys = Int(parts[1].trimmingCharacters(in: .whitespaces)), keys >= 0 else { return nil }
            bins.append(Bin(lowerBound: lower, keys: keys))
        }
        bins.sort { $0.lowerBound < $1.lowerBound }
        return KeySizeHistogram(db: db, metric: metric, bins: bins)
    }

    /// `512` → 512, `1K` → 1024, `2M` → 2 MiB …; nil when malformed or above 2^62.
    static func size(_ label: String) -> Int? {
        var digits = Substring(label)
        var shift = 0
        if let last = label.last, let index = "KMGTP".firstIndex(of: last) {
            shift = 10 * ("KMGTP".distance(from: "KMGTP".startIndex, to: index) + 1)
            digits = digits.dropLast()
        }
        guard !digits.isEmpty, digits.count <= 19, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let base = Int(digits) else { return nil }
        guard base == 0 || base.leadingZeroBitCount > shift + 1 else { return nil }
        return base << shift
    }
}
