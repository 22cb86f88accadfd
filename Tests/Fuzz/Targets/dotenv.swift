// libFuzzer target: the `.env` reader and what connection resolution does with its values.
//
// DotEnv.parse must give only valid keys; ConnectionOptions.resolve on the result must either give
// options inside their documented ranges or throw one display-safe sentence that never quotes the
// password.
import Foundation
@testable import CachewatchCore

@_cdecl("LLVMFuzzerTestOneInput")
public func dotenvFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: data == nil ? 0 : size), as: UTF8.self)
    let values = DotEnv.parse(text)
    for key in values.keys {
        fuzzCheck(!key.isEmpty && !key.contains("=") && !key.contains(where: { $0.isWhitespace }), "invalid key \"\(key)\"")
    }
    do {
        let options = try ConnectionOptions.resolve(flags: ConnectionFlags(), environment: [:], dotEnv: values)
        checkOptions(options)
    } catch let error as ConnectionOptionsError {
        checkError(error, password: values["CACHE_REDIS_PASSWORD"])
    } catch {
        fuzzCheck(false, "unexpected error type \(type(of: error))")
    }
    return 0
}
