import Foundation

/// Small labelled keyspaces (a few thousand keys) in the shapes of the README's family table and the cache
/// guide: the boilerplate's `@cache` keys, its `:q=…:u=…` query keys, cache-aside keys, singletons, and
/// word positions with few members (31 usernames, a dozen slugs). Deterministic for a seed; shuffled like
/// SCAN order.
enum SmallCensusCorpus {
    static let sortOrders = ["price", "-price", "name", "-name", "created_at"]
    static let searchWords = ["desk", "chair", "lamp", "monitor", "keyboard", "mouse", "cable", "stand", "shelf", "drawer",
                              "sofa", "table", "rug", "mirror", "clock", "vase", "pillow", "blanket", "curtain", "frame"]

    /// About `total` keys; `usernames` and `slugs` set the size of the two small word families.
    static func generate(total: Int, seed: UInt64, usernames: Int = 31, slugs: Int = 12) -> [LabelledKey] {
        var rng = SplitMix64(state: seed)
        var out: [LabelledKey] = []
        var seen = Set<String>()
        /// Adds `count` distinct keys (a keyspace has no duplicates) made by `make`.
        func add(_ family: String, _ count: Int, _ make: (inout SplitMix64) -> String) {
            var added = 0, attempts = 0
            while added < count && attempts < count * 50 {
                attempts += 1
                let key = make(&rng)
                guard seen.insert(key).inserted else { continue }
                out.append(LabelledKey(key: Array(key.utf8), family: family))
                added += 1
            }
        }
        func share(_ fraction: Double) -> Int { max(2, Int((Double(total) * fraction).rounded())) }
        add("widget", share(0.2)) { "widget:\($0.int(1...9_999_999))" }
        add("user widgets page", share(0.15)) { r in
            let user = r.int(1...5000)
            return "user_\(user)_widgets:page_\(r.int(1...20)):size_\(r.pick([10, 20, 50])):\(user)"
        }
        add("user by name", usernames) { "user:" + CensusCorpus.username(&$0) }
        add("user settings", share(0.03)) { "user:\($0.int(1...900_000)):settings" }
        add("session", share(0.08)) { "session:" + $0.uuid4(dashed: true) }
        add("widget search", share(0.04)) { "widget_search:" + $0.hex(32) }
        let days = max(7, total / 200)
        for d in 0..<days { out.append(LabelledKey(key: Array("stat:processed:\(CensusCorpus.isoDate(daysBefore: d))".utf8), family: "stat processed")) }
        for d in 0..<days { out.append(LabelledKey(key: Array("stat:failed:\(CensusCorpus.isoDate(daysBefore: d))".utf8), family: "stat failed")) }
        add("celery meta", share(0.05)) { "celery-task-meta-" + $0.uuid4(dashed: true) }
        for single in ["top_widgets", "popular_widgets", "widget_count", "lock:recompute_top_widgets"] {
            out.append(LabelledKey(key: Array(single.utf8), family: single))
        }
        add("analytics 30d", share(0.02)) { "analytics_\($0.int(1...50_000))_30d:summary" }
        add("analytics 7d", share(0.01)) { "analytics_\($0.int(1...50_000))_7d:summary" }
        for t in 1...5 { out.append(LabelledKey(key: Array("tier:\(t)".utf8), family: "tier")) }
        add("dashboard", share(0.02)) { r in
            let user = r.int(1...80_000)
            return "dashboard_for_user_\(user):\(user)"
        }
        add("user score", share(0.03)) { "user_score:\($0.int(1...90_000))" }
        add("user payload", share(0.02)) { "user_payload:\($0.int(1...90_000))" }
        add("widgets query", share(0.15)) { r in
            "widgets:q=limit=\(r.pick([10, 20, 50]))&offset=\(r.int(0...40) * 10)&sort=\(r.pick(sortOrders)):u=\(r.int(1...90_000))"
        }
        add("search results query", share(0.07)) { r in "search_results:q=page=\(r.int(1...9))&q=\(r.pick(searchWords))" }
        add("widget list query owner", share(0.03)) { r in "widget:list:q=owner=" + CensusCorpus.username(&r) + ":u=\(r.int(1...90_000))" }
        add("post slug", slugs) { "post:" + CensusCorpus.slug(&$0) }
        add("negative widget", share(0.02)) { "negative:widget:\($0.int(1...9_999_999))" }
        add("queue default", 1) { _ in "queue:default" }
        add("queue mailers", 1) { _ in "queue:mailers" }
        for i in stride(from: out.count - 1, to: 0, by: -1) { out.swapAt(i, rng.int(0...i)) }
        return out
    }
}
