import Foundation

/// A deterministic PRNG (SplitMix64) so the corpus is the same on every run and machine.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
    mutating func hex(_ count: Int) -> String {
        let digits = Array("0123456789abcdef")
        return String((0..<count).map { _ in digits[Int(next() & 15)] })
    }
    mutating func uuid4(dashed: Bool) -> String {
        var h = Array(hex(32))
        h[12] = "4"
        h[16] = Array("89ab")[Int(next() & 3)]
        let s = String(h)
        guard dashed else { return s }
        let c = Array(s)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20]) + "-" + String(c[20..<32])
    }
    mutating func base64(_ count: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        return String((0..<count).map { _ in alphabet[Int(next() & 63)] })
    }
}

/// One corpus key and the family it truly belongs to.
struct LabelledKey {
    var key: [UInt8]
    var family: String
}

/// The labelled corpus of the accuracy test: ~110 k keys in 37 true families, in the cache guide's shapes
/// (boilerplate `@cache` keys, `:q=…:u=…` keys) and other stacks' (sidekiq, celery, bull, rails and django
/// caches), with usernames, slugs, SKUs, uuids, hashes, hex ids, base64 tokens, dates, timestamps,
/// numbers inside segments and singletons. Shuffled like SCAN order. Deterministic for a seed.
enum CensusCorpus {
    static let firstNames = ["john", "jane", "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
                             "mallory", "nia", "oscar", "peggy", "rupert", "sybil", "trent", "victor", "walter", "yuki", "zoe", "omar"]
    static let lastNames = ["doe", "smith", "jones", "brown", "garcia", "miller", "davis", "lopez", "wilson", "anderson", "thomas",
                            "taylor", "moore", "martin", "lee", "perez", "white", "harris", "clark", "lewis", "young", "king"]
    static let slugWords = ["how", "to", "cache", "redis", "fast", "api", "widgets", "guide", "the", "best", "python", "deploy", "tips",
                            "scaling", "with", "postgres", "async", "in", "production", "notes", "ten", "lessons", "from", "our", "outage"]

    static func username(_ rng: inout SplitMix64) -> String {
        let first = rng.pick(firstNames), last = rng.pick(lastNames)
        switch rng.int(0...4) {
        case 0: return first + last
        case 1: return first + "_" + last
        case 2: return first + "." + last + String(rng.int(1...99))
        case 3: return String(first.prefix(1)) + last + String(rng.int(1...999))
        default: return first + last + String(rng.int(1970...2005))
        }
    }

    static func slug(_ rng: inout SplitMix64) -> String {
        var words: [String] = []
        for _ in 0..<rng.int(2...6) { words.append(rng.pick(slugWords)) }
        if rng.int(0...3) == 0 { words.append(String(rng.int(2...9))) }
        return words.joined(separator: "-")
    }

    static func letters(_ rng: inout SplitMix64, _ count: Int) -> String {
        String((0..<count).map { _ in Character(Unicode.Scalar(UInt8(65 + rng.int(0...25)))) })
    }

    static func isoDate(daysBefore: Int) -> String {
        let date = Date(timeIntervalSince1970: 1_795_651_200 - Double(daysBefore) * 86_400)  // 2026-11-26
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }

    /// The corpus for `seed`; `scale` multiplies every non-singleton family's size.
    static func generate(seed: UInt64 = 20_261_126, scale: Int = 1) -> [LabelledKey] {
        var rng = SplitMix64(state: seed)
        var out: [LabelledKey] = []
        func add(_ family: String, _ count: Int, singleton: Bool = false, _ make: (inout SplitMix64) -> String) {
            for _ in 0..<(singleton ? count : count * scale) { out.append(LabelledKey(key: Array(make(&rng).utf8), family: family)) }
        }
        let dates = (0..<400).map { isoDate(daysBefore: $0) }
        add("widget", 20_000) { "widget:\($0.int(1...9_999_999))" }
        add("user widgets page", 15_000) { r in
            let user = r.int(1...5000)
            return "user_\(user)_widgets:page_\(r.int(1...20)):size_\(r.pick([10, 20, 50])):\(user)"
        }
        add("user by name", 5000) { "user:" + username(&$0) }
        add("user settings", 3000) { "user:\($0.int(1...900_000)):settings" }
        add("session", 10_000) { "session:" + $0.uuid4(dashed: true) }
        add("sess undashed", 3000) { "sess:" + $0.uuid4(dashed: false) }
        add("widget search", 5000) { "widget_search:" + $0.hex(32) }
        for d in dates { out.append(LabelledKey(key: Array("stat:processed:\(d)".utf8), family: "stat processed")) }
        for d in dates { out.append(LabelledKey(key: Array("stat:failed:\(d)".utf8), family: "stat failed")) }
        add("celery meta", 8000) { "celery-task-meta-" + $0.uuid4(dashed: true) }
        add("top widgets", 1, singleton: true) { _ in "top_widgets" }
        add("popular widgets", 1, singleton: true) { _ in "popular_widgets" }
        add("lock", 1, singleton: true) { _ in "lock:recompute_top_widgets" }
        add("analytics 30d", 2000) { "analytics_\($0.int(1...50_000))_30d:summary" }
        add("analytics 7d", 1000) { "analytics_\($0.int(1...50_000))_7d:summary" }
        add("post slug", 4000) { "post:" + slug(&$0) }
        add("product sku", 3000) { r in "product:sku:" + letters(&r, 2) + "-\(r.int(1000...9999))-" + letters(&r, 2) }
        for t in 1...5 { out.append(LabelledKey(key: Array("tier:\(t)".utf8), family: "tier")) }
        add("dashboard", 2000) { r in
            let user = r.int(1...80_000)
            return "dashboard_for_user_\(user):\(user)"
        }
        add("rails views", 3000) { r in
            "views/widgets/\(r.int(1...99_999))-2026\(String(format: "%02d%02d%02d%02d%02d", r.int(1...11), r.int(1...28), r.int(0...23), r.int(0...59), r.int(0...59)))"
        }
        add("django page", 2000) { ":1:views.decorators.cache.cache_page..GET.\($0.hex(32)).\($0.hex(32)).en-us.UTC" }
        add("django profile", 2000) { ":1:user_profile_\($0.int(1...500_000))" }
        add("sidekiq queue default", 1, singleton: true) { _ in "queue:default" }
        add("sidekiq queue mailers", 1, singleton: true) { _ in "queue:mailers" }
        add("bull job", 3000) { "bull:email:\($0.int(1...2_000_000))" }
        add("bull job lock", 200) { "bull:email:\($0.int(1...2_000_000)):lock" }
        add("bull wait", 1, singleton: true) { _ in "bull:email:wait" }
        add("bull active", 1, singleton: true) { _ in "bull:email:active" }
        add("widget list query pages", 3000) { r in "widget:list:q=page=\(r.int(1...30))&size=\(r.pick([10, 25, 50])):u=\(r.int(1...90_000))" }
        add("widget list query owner", 2000) { r in "widget:list:q=owner=" + username(&r) + ":u=\(r.int(1...90_000))" }
        add("api key quota", 1500) { "apikey:" + $0.base64(24) + ":quota" }
        add("heartbeat", 500) { "heartbeat:" + $0.hex(12) }
        for day in 0..<365 {
            let d = isoDate(daysBefore: day).replacingOccurrences(of: "-", with: "")
            out.append(LabelledKey(key: Array("stats:\(d):pageviews".utf8), family: "daily pageviews"))
        }
        add("event", 2000) { "event:\($0.int(1_764_000_000_000...1_796_000_000_000))" }
        add("negative widget", 1000) { "negative:widget:\($0.int(1...9_999_999))" }
        // Shuffle like SCAN order (Fisher–Yates with the same PRNG).
        for i in stride(from: out.count - 1, to: 0, by: -1) { out.swapAt(i, rng.int(0...i)) }
        return out
    }
}
