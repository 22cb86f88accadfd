import Foundation

/// The demo's cache: the key shapes and TTLs of the boilerplate's cache guide, as commands to send.
///
/// Everything here writes, so it is sent by a separate `redis-cli --pipe` process, never by
/// cachewatch's own (read-only) client.
struct DemoKeyspace {
    private var random: SplitMix64
    private let usernames: [String] = {
        let first = ["john", "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory"]
        let last = ["doe", "smith", "jones", "brown", "lee", "khan"]
        return first.flatMap { a in last.map { b in a + b } }
    }()

    init(seed: UInt64 = 42) {
        random = SplitMix64(seed: seed)
    }

    // MARK: - Initial fill

    /// Commands that build a realistic keyspace (~25 k keys in DB 0, a few in DBs 1 and 3).
    mutating func initialFill() -> [[String]] {
        var commands: [[String]] = [["SELECT", "0"]]
        for id in 1...6000 { commands.append(set("widget:\(id)", widgetJSON(id), ttl: jitter(900, 120))) }
        for id in 6001...6800 { commands.append(set("widget:\(id)", "__NOT_FOUND__", ttl: 3600)) }
        for user in 1...900 {
            for page in 1...3 { commands.append(set("user_\(user)_widgets:page_\(page):size_10:\(user)", "[\(user),\(page)]", ttl: jitter(240, 40))) }
        }
        for _ in 0..<2500 { commands.append(set("widget_search:\(hex(32))", "[1,2,3]", ttl: jitter(600, 240))) }
        for _ in 0..<3000 { commands.append(set("session:\(uuid())", "{\"uid\":\(random.next(below: 5000))}", ttl: jitter(86400, 3600))) }
        for id in 1...1500 { commands.append(set("user_score:\(id)", String(random.next(below: 1000)), ttl: jitter(1800, 60))) }
        for name in usernames { commands.append(set("user:\(name)", "{\"username\":\"\(name)\"}", ttl: 1200)) }
        for id in 1...12 { commands.append(set("tier:\(id)", "{\"tier\":\(id)}", ttl: 86400)) }
        for id in 1...400 { commands.append(set("analytics_\(id)_30d:summary", "{\"views\":\(id * 7)}", ttl: jitter(1800, 300))) }
        for id in 1...1200 { commands.append(["HSET", "cart:\(id):items", "sku-\(id)", "1"]) }
        commands.append(["SET", "feature_flags", "{\"dark_mode\":true}"])
        commands.append(set("top_widgets", "[1,2,3]", ttl: 600))
        commands.append(set("popular_widgets", "[4,5,6]", ttl: 300))
        commands.append(set("widget_count:global", "6000", ttl: 3600))
        // A batch warmed at boot with one TTL: a stampede in waiting.
        for id in 1...2000 { commands.append(set("product:\(id):price", String(100 + id), ttl: 1500)) }
        commands.append(["SELECT", "1"])
        for id in 1...300 { commands.append(set("ratelimit:\(id):/api/v1/widgets", "3", ttl: 60)) }
        commands.append(["SELECT", "3"])
        for _ in 0..<50 { commands.append(["LPUSH", "taskiq:queue", uuid()]) }
        commands.append(["SELECT", "0"])
        return commands
    }

    // MARK: - Steady traffic

    /// About one second of application traffic: mostly GET hits, misses refilled, some invalidation.
    mutating func trafficSecond(second: Int) -> [[String]] {
        var commands: [[String]] = []
        let reads = 300 + Int(random.next(below: 200))
        for _ in 0..<reads {
            let id = 1 + Int(random.next(below: 7500))
            commands.append(["GET", "widget:\(id)"])
            if id > 6800, random.next(below: 4) == 0 {
                commands.append(set("widget:\(id)", random.next(below: 3) == 0 ? "__NOT_FOUND__" : widgetJSON(id), ttl: id % 2 == 0 ? 60 : 900))
            }
        }
        for _ in 0..<40 {
            let user = 1 + Int(random.next(below: 1200))
            let page = 1 + Int(random.next(below: 3))
            let key = "user_\(user)_widgets:page_\(page):size_10:\(user)"
            commands.append(["GET", key])
            if user > 900 { commands.append(set(key, "[\(user)]", ttl: jitter(240, 40))) }
        }
        for _ in 0..<20 {
            commands.append(["GET", "session:\(uuid())"])
            commands.append(["GET", "user_score:\(1 + Int(random.next(below: 1700)))"])
        }
        for _ in 0..<6 { commands.append(set("widget_search:\(hex(32))", "[7,8]", ttl: jitter(600, 240))) }
        commands.append(set("session:\(uuid())", "{\"uid\":1}", ttl: 86400))
        if second % 10 == 0 {
            // A widget update: write-through delete plus the guide's pattern invalidation.
            let owner = 1 + Int(random.next(below: 900))
            commands.append(["DEL", "widget:\(1 + Int(random.next(below: 6000)))"])
            commands.append(["SCAN", "0", "MATCH", "user_\(owner)_widgets:*", "COUNT", "100"])
            for page in 1...3 { commands.append(["DEL", "user_\(owner)_widgets:page_\(page):size_10:\(owner)"]) }
        }
        if second % 30 == 0 {
            commands.append(["SET", "lock:warm_top_widgets", "1", "NX", "EX", "30"])
            commands.append(set("top_widgets", "[1,2,3]", ttl: 600))
        }
        return commands
    }

    // MARK: - Pieces

    private func set(_ key: String, _ value: String, ttl: Int) -> [String] { ["SET", key, value, "EX", String(ttl)] }

    private mutating func jitter(_ base: Int, _ spread: Int) -> Int { base - spread + Int(random.next(below: UInt64(2 * spread + 1))) }

    private func widgetJSON(_ id: Int) -> String { "{\"id\":\(id),\"name\":\"widget \(id)\",\"owner_id\":\(id % 900 + 1)}" }

    private mutating func hex(_ length: Int) -> String {
        let digits = Array("0123456789abcdef")
        return String((0..<length).map { _ in digits[Int(random.next(below: 16))] })
    }

    private mutating func uuid() -> String {
        let h = hex(32)
        let c = Array(h)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-4" + String(c[13..<16]) + "-a" + String(c[17..<20]) + "-" + String(c[20..<32])
    }
}

/// A small deterministic PRNG (SplitMix64) so the demo looks the same every run.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next(below bound: UInt64) -> UInt64 { bound == 0 ? 0 : next() % bound }
}
