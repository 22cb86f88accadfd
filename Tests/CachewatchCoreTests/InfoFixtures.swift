import Foundation
import XCTest

/// Reads the INFO fixtures next to this file (no bundle resources) and parses them naïvely
/// for independent expectations.
enum InfoFixtures {
    /// Captured from real servers with `redis-cli INFO everything` (`INFO all` on 5.0, which lacks `everything`).
    static let names = ["info-redis5.txt", "info-redis6.txt", "info-redis7.txt", "info-redis7-cluster.txt"]

    static func url(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").appendingPathComponent(name)
    }

    static func text(_ name: String) throws -> String {
        String(decoding: try Data(contentsOf: url(name)), as: UTF8.self)
    }

    /// A deliberately simple second parser: section → key → value, from `#` headers and the first colon.
    static func naive(_ text: String) -> [String: [String: String]] {
        var out: [String: [String: String]] = [:]
        var section = ""
        // Split on scalars: Swift treats "\r\n" as one Character.
        for piece in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false) {
            var scalars = String.UnicodeScalarView(piece)
            if scalars.last == "\r" { scalars.removeLast() }
            let line = String(scalars)
            if line.hasPrefix("# ") { section = String(line.dropFirst(2)).lowercased(); continue }
            guard let colon = line.firstIndex(of: ":") else { continue }
            out[section, default: [:]][String(line[..<colon])] = String(line[line.index(after: colon)...])
        }
        return out
    }

    /// Splits `a=1,b=2`.
    static func pairs(_ value: String) -> [String: String] {
        Dictionary(value.split(separator: ",").map { piece -> (String, String) in
            let kv = piece.split(separator: "=", maxSplits: 1).map(String.init)
            return (kv[0], kv.count > 1 ? kv[1] : "")
        }, uniquingKeysWith: { $1 })
    }
}
