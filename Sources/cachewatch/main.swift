import ArgumentParser
import CachewatchRedis
import CachewatchTerminal

struct Cachewatch: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cachewatch", abstract: "Watch a Redis cache.")
    func run() throws { print("cachewatch (hiredis \(hiredisVersion), \(cursesVersion()))") }
}
Cachewatch.main()
