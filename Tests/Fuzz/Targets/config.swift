// libFuzzer target: the config file loader (`config.toml`: TOML parsing and validation).
//
// Only the public entry point `ConfigFile.parse(_:file:)` is called (no field of the result), so the
// target keeps building whichever TOML parser and value types sit behind it (the hand-written parser
// or TOMLKit, strings or bounded durations). Errors are fine; a trap is not, and an error must be
// one line that names the file.
import Foundation
import CachewatchCore

@_cdecl("LLVMFuzzerTestOneInput")
public func configFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: data == nil ? 0 : size), as: UTF8.self)
    do {
        let config = try ConfigFile.parse(text, file: "config.toml")
        if let value = config.scanBudget { fuzzCheck(value >= 1, "scan_budget \(value) accepted") }
        if let value = config.maxFamilies { fuzzCheck(value >= 1, "max_families \(value) accepted") }
        if let value = config.warnRate { fuzzCheck(value.isFinite && value > 0, "warn_rate \(value) accepted") }
        if let value = config.critRate { fuzzCheck(value.isFinite && value > 0, "crit_rate \(value) accepted") }
        for duration in [config.interval, config.backfill, config.alertWindow, config.forDuration, config.stale].compactMap({ $0 }) {
            fuzzCheck(BoundedDuration.parseSeconds(duration) != nil, "duration \"\(duration)\" accepted but does not parse")
        }
    } catch {
        let message = String(describing: error)
        fuzzCheck(message.hasPrefix("config.toml"), "error does not name the file: \(message)")
        fuzzCheck(!message.contains("\n"), "error is more than one line: \(message.debugDescription)")
    }
    return 0
}
