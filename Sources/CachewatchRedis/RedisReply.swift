import CHiredis

/// A Redis reply copied out of hiredis (the C reply is freed at once).
public enum RedisReply: Equatable, Sendable {
    case status(String)
    case error(String)
    case integer(Int64)
    case bulk([UInt8])
    case array([RedisReply])
    case null

    // MARK: - Convenience accessors

    /// The integer value, or nil for any other reply.
    public var integerValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// The bytes of a bulk or status reply, or nil.
    public var bytesValue: [UInt8]? {
        switch self {
        case .bulk(let bytes): return bytes
        case .status(let text): return Array(text.utf8)
        default: return nil
        }
    }

    /// A bulk or status reply decoded as UTF-8 (invalid bytes replaced), or nil.
    public var stringValue: String? {
        switch self {
        case .bulk(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .status(let text): return text
        default: return nil
        }
    }

    /// The elements of an array reply, or nil.
    public var arrayValue: [RedisReply]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The error text of an error reply, or nil.
    public var errorText: String? {
        if case .error(let text) = self { return text }
        return nil
    }

    // MARK: - Copying from hiredis

    /// Copies a hiredis reply tree into a Swift value (does not free it).
    static func copy(_ pointer: UnsafePointer<redisReply>) -> RedisReply {
        let reply = pointer.pointee
        switch reply.type {
        case REDIS_REPLY_STRING:
            return .bulk(bytes(reply.str, reply.len))
        case REDIS_REPLY_STATUS:
            // Straight from the C buffer: TYPE's short answers become small Strings without a heap copy.
            return .status(text(reply.str, reply.len))
        case REDIS_REPLY_ERROR:
            return .error(String(decoding: bytes(reply.str, reply.len), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(reply.integer))
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            elements.reserveCapacity(Int(reply.elements))
            if let element = reply.element {
                for index in 0..<Int(reply.elements) {
                    if let child = element[index] {
                        elements.append(copy(UnsafePointer(child)))
                    } else {
                        elements.append(.null)
                    }
                }
            }
            return .array(elements)
        default:
            return .null
        }
    }

    private static func text(_ str: UnsafeMutablePointer<CChar>?, _ length: Int) -> String {
        guard let str, length > 0 else { return "" }
        return str.withMemoryRebound(to: UInt8.self, capacity: length) { String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self) }
    }

    private static func bytes(_ str: UnsafeMutablePointer<CChar>?, _ length: Int) -> [UInt8] {
        guard let str, length > 0 else { return [] }
        return str.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
    }
}
