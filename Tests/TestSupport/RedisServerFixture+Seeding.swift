import Foundation
import XCTest

extension RedisServerFixture {
    /// A started server for one test: `options`, then `seed` sent through `redis-cli --pipe` (asserted error-free).
    /// A server that cannot start is `prerequisiteMissing` (a skip, a failure under CI).
    public static func started(_ options: Options = Options(), seed: [[String]] = [],
                               file: StaticString = #filePath, line: UInt = #line) throws -> RedisServerFixture {
        let server: RedisServerFixture
        do {
            server = try RedisServerFixture(options: options)
        } catch {
            throw prerequisiteMissing("redis-server could not be started: \(error)")
        }
        if !seed.isEmpty {
            let summary = server.pipe(seed)
            XCTAssertTrue(summary.contains("errors: 0"), "seeding failed: \(summary)", file: file, line: line)
        }
        return server
    }

    /// `SET widget:{1…count} x EX ttlSeconds`: the plain family most tests seed.
    public static func widgets(_ count: Int, ttlSeconds: Int = 600) -> [[String]] {
        (1...max(1, count)).map { ["SET", "widget:\($0)", "x", "EX", String(ttlSeconds)] }
    }

    /// The `calls` of `commands` (lower case, e.g. `["type", "pttl"]`) summed from the server's `INFO commandstats`.
    public func commandCalls(_ commands: [String]) -> Int {
        var total = 0
        for line in redisCLI(["INFO", "commandstats"]).components(separatedBy: .newlines) {
            guard commands.contains(where: { line.hasPrefix("cmdstat_\($0):") }),
                  let field = line.split(separator: ":", maxSplits: 1).last?.split(separator: ",").first,
                  let calls = Int(field.dropFirst("calls=".count)) else { continue }
            total += calls
        }
        return total
    }
}
