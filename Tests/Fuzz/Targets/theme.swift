// libFuzzer target: the theme loader (`themes/*.toml` and user theme files).
//
// A theme that parses must map every role, with colour indexes inside 0…255, and degrade to 8 and
// 16 colours without leaving an index the terminal cannot show.
import Foundation
import CachewatchCore

private func index(_ color: ThemeColor) -> Int? {
    if case .index(let n) = color { return n }
    return nil
}

@_cdecl("LLVMFuzzerTestOneInput")
public func themeFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: data == nil ? 0 : size), as: UTF8.self)
    do {
        let theme = try Theme.parse(text, file: "themes/fuzz.toml")
        fuzzCheck(Set(theme.styles.keys) == Set(Theme.roleNames), "a role is missing")
        fuzzCheck([0, 8, 16, 256].contains(theme.colors), "colors \(theme.colors)")
        for style in theme.styles.values {
            for color in [style.foreground, style.background] {
                if let n = index(color) { fuzzCheck((0...255).contains(n), "colour index \(n)") }
            }
        }
        for count in [8, 16] {
            let degraded = theme.degraded(toColorCount: count)
            for style in degraded.styles.values {
                for color in [style.foreground, style.background] {
                    if let n = index(color) { fuzzCheck(n < count, "colour \(n) left in a \(count)-colour theme") }
                }
            }
        }
        _ = theme.style(for: "nonexistent")
    } catch {
        let message = String(describing: error)
        fuzzCheck(message.hasPrefix("themes/fuzz.toml:"), "error does not name the file: \(message)")
        fuzzCheck(!message.contains("\n"), "error is more than one line: \(message.debugDescription)")
    }
    return 0
}
