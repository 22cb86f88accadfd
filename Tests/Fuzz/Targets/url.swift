// libFuzzer target: the connection URL parser (`-u/--url redis://…`, `unix://…`).
//
// The input is the URL text. Parsing either succeeds with values inside their ranges or throws one
// display-safe sentence that never quotes the URL (it may hold a password).
import Foundation
@testable import CachewatchCore

@_cdecl("LLVMFuzzerTestOneInput")
public func urlFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: data == nil ? 0 : size), as: UTF8.self)
    if let parsed = try? ParsedConnectionURL.parse(text) {
        if let port = parsed.port { fuzzCheck((1...65535).contains(port), "port \(port)") }
        if let db = parsed.db { fuzzCheck(db >= 0, "db \(db)") }
    }
    do {
        let options = try ConnectionOptions.resolve(flags: ConnectionFlags(url: text), environment: [:], dotEnv: [:])
        checkOptions(options)
    } catch let error as ConnectionOptionsError {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        fuzzCheck(isDisplaySafe(error.message), "error not display-safe: \(error.message.unicodeScalars.map(\.value))")
        if trimmed.contains("@"), trimmed.count >= 8 { fuzzCheck(!error.message.contains(trimmed), "error quotes the URL") }
    } catch {
        fuzzCheck(false, "unexpected error type \(type(of: error))")
    }
    return 0
}
