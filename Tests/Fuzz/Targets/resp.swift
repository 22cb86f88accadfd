// libFuzzer target: RESP replies as hiredis reads them and as cachewatch converts them.
//
// The input is bytes from a (hostile) server. They are fed to hiredis's reader (redisReaderCreate,
// redisReaderFeed in two pieces split at an input-chosen point, redisReaderGetReply), and every reply
// is copied into a `RedisReply` (RedisReply.copy, the project's only conversion) and freed. Error
// replies and reader errors become `RedisError`s, whose sentences must be display-safe and never
// show the password; string replies are parsed as INFO text, as the collector does.
import Foundation
import CHiredis
@testable import CachewatchCore
@testable import CachewatchRedis

private let password = "hunter2-secret"

private func check(_ reply: RedisReply, depth: Int) {
    fuzzCheck(depth <= 16, "reply nested deeper than hiredis allows")
    switch reply {
    case .array(let elements):
        for element in elements { check(element, depth: depth + 1) }
        _ = reply.arrayValue
    case .error(let text):
        let error = RedisError.fromReply(text, command: "INFO", address: "127.0.0.1:6379", password: password)
        fuzzCheck(isDisplaySafe(error.message), "error sentence not display-safe: \(error.message.unicodeScalars.map(\.value))")
        fuzzCheck(!error.message.contains(password), "error sentence shows the password")
    case .bulk, .status:
        fuzzCheck(reply.bytesValue != nil && reply.stringValue != nil, "string reply without bytes")
        if depth == 0, let text = reply.stringValue {
            let info = InfoSnapshot(text: text, takenAt: Date(timeIntervalSince1970: 0))
            _ = (info.uptimeSeconds, info.totalCommandsProcessed, info.keyspace.count)
        }
    case .integer(let value):
        fuzzCheck(reply.integerValue == value, "integer accessor")
    case .null:
        break
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func respFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let reader = redisReaderCreate() else { return 0 }
    defer { redisReaderFree(reader) }
    let bytes = fuzzBytes(data, size)
    let cut = bytes.isEmpty ? 0 : Int(fuzzHash(bytes) % UInt32(bytes.count + 1))
    var replies = 0
    bytes.withUnsafeBufferPointer { all in
        for piece in [UnsafeBufferPointer(rebasing: all[0..<cut]), UnsafeBufferPointer(rebasing: all[cut...])] {
            guard let base = piece.baseAddress, piece.count > 0 else { continue }
            _ = base.withMemoryRebound(to: CChar.self, capacity: piece.count) { redisReaderFeed(reader, $0, piece.count) }
            while true {
                var raw: UnsafeMutableRawPointer?
                guard redisReaderGetReply(reader, &raw) == REDIS_OK else {
                    let text = withUnsafeBytes(of: reader.pointee.errstr) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                    let error = RedisError.fromContext(code: reader.pointee.err, text: text, address: "127.0.0.1:6379", timeoutMilliseconds: 1000)
                    fuzzCheck(isDisplaySafe(error.message), "reader error not display-safe: \(error.message.unicodeScalars.map(\.value))")
                    return
                }
                guard let raw else { break }
                let reply = RedisReply.copy(UnsafePointer(raw.assumingMemoryBound(to: redisReply.self)))
                freeReplyObject(raw)
                check(reply, depth: 0)
                replies += 1
            }
        }
    }
    fuzzCheck(replies <= bytes.count, "more replies than bytes")
    return 0
}
