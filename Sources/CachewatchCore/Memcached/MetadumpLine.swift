/// One line of an `lru_crawler metadump` reply, classified; items are parsed and bounded.
///
/// Items look like `key=<URL-encoded> exp=<unix|-1> la=<unix> cas=<n> fetch=<yes|no> cls=<n> size=<bytes>`
/// (fields in any order, unknown ones ignored); since memcached 1.6.43 the reply starts with `OK`; it ends
/// with `END`. A line that is none of these is `.malformed` (counted, never fatal).
public enum MetadumpLine: Equatable, Sendable {
    case item(MetadumpItem)
    case ok
    case end
    /// `BUSY currently processing crawler request`: another crawl runs; retry later.
    case busy(String)
    /// `CLIENT_ERROR lru crawler disabled` (`-o no_lru_crawler`).
    case crawlerDisabled(String)
    /// `ERROR metadump not allowed` (`-X`) or a bare `ERROR` (the command is unknown to this server).
    case notAllowed(String)
    /// Any other `CLIENT_ERROR …` / `SERVER_ERROR …`.
    case serverError(String)
    case malformed

    /// Classifies one line (without its CR LF).
    public static func parse(_ line: ArraySlice<UInt8>) -> MetadumpLine {
        if line.starts(with: Self.keyPrefix) {
            return MetadumpItem.parse(line).map(MetadumpLine.item) ?? .malformed
        }
        let text = DisplayEscaper.escape(Array(line.prefix(200)))
        switch text {
        case "OK": return .ok
        case "END": return .end
        case "ERROR": return .notAllowed(text)
        default: break
        }
        if text.hasPrefix("BUSY") { return .busy(text) }
        if text.hasPrefix("CLIENT_ERROR lru crawler disabled") || text.hasPrefix("CLIENT_ERROR lru_crawler disabled") {
            return .crawlerDisabled(text)
        }
        if text.hasPrefix("ERROR") { return .notAllowed(text) }
        if text.hasPrefix("CLIENT_ERROR") || text.hasPrefix("SERVER_ERROR") { return .serverError(text) }
        return .malformed
    }

    static let keyPrefix: [UInt8] = Array("key=".utf8)
}

/// One item of a metadump: the decoded key and what memcached said about it.
public struct MetadumpItem: Equatable, Sendable {
    /// The key, URL-decoded to its bytes (may be binary: escape before showing it).
    public var key: [UInt8]
    /// Absolute expiry on the server's clock (unix seconds); nil for `exp=-1` (never expires).
    public var expiresAt: Int64?
    /// Last access on the server's clock (unix seconds), when given.
    public var lastAccess: Int64?
    /// `fetch=yes|no`: read at least once since it was written; nil when not given.
    public var fetched: Bool?
    /// `cls`: the slab class.
    public var slabClass: Int?
    /// `size`: the whole item (key, value and header) in bytes.
    public var sizeBytes: Int?

    public init(key: [UInt8], expiresAt: Int64?, lastAccess: Int64? = nil, fetched: Bool? = nil, slabClass: Int? = nil,
                sizeBytes: Int? = nil) {
        self.key = key
        self.expiresAt = expiresAt
        self.lastAccess = lastAccess
        self.fetched = fetched
        self.slabClass = slabClass
        self.sizeBytes = sizeBytes
    }

    /// Decoded keys longer than this are refused (memcached's limit is 250 bytes).
    public static let maximumKeyBytes = 1024
    /// Times beyond this (year 2500) are refused.
    static let maximumUnixSeconds: Int64 = 16_725_225_600
    /// Sizes beyond this (2 GiB; memcached's largest item is 1 GiB) are refused.
    static let maximumSizeBytes = 1 << 31

    /// Field names and values of a metadump line, as bytes.
    enum Field {
        static let key: [UInt8] = Array("key".utf8)
        static let exp: [UInt8] = Array("exp".utf8)
        static let lastAccess: [UInt8] = Array("la".utf8)
        static let fetch: [UInt8] = Array("fetch".utf8)
        static let slabClass: [UInt8] = Array("cls".utf8)
        static let size: [UInt8] = Array("size".utf8)
        static let never: [UInt8] = Array("-1".utf8)
        static let yes: [UInt8] = Array("yes".utf8)
        static let no: [UInt8] = Array("no".utf8)
    }

    /// Parses `key=… exp=… …`; nil when the key is missing or malformed or `exp` is missing or out of range.
    public static func parse(_ line: ArraySlice<UInt8>) -> MetadumpItem? {
        var key: [UInt8]?
        var expires: Int64??
        var item = MetadumpItem(key: [], expiresAt: nil)
        var start = line.startIndex
        while start < line.endIndex {
            let end = line[start...].firstIndex(of: 0x20) ?? line.endIndex
            let token = line[start..<end]
            start = end < line.endIndex ? line.index(after: end) : end
            guard let equals = token.firstIndex(of: 0x3D) else { continue }
            let name = token[token.startIndex..<equals]
            let value = token[token.index(after: equals)...]
            // Byte comparisons, no String per token: a dump has millions of them.
            if name.elementsEqual(Field.key) {
                key = urlDecoded(value)
            } else if name.elementsEqual(Field.exp) {
                if value.elementsEqual(Field.never) { expires = .some(nil) } else if let seconds = unixSeconds(value) { expires = .some(seconds) }
            } else if name.elementsEqual(Field.lastAccess) {
                item.lastAccess = unixSeconds(value)
            } else if name.elementsEqual(Field.fetch) {
                if value.elementsEqual(Field.yes) { item.fetched = true } else if value.elementsEqual(Field.no) { item.fetched = false }
            } else if name.elementsEqual(Field.slabClass) {
                item.slabClass = integer(value, maximum: 1 << 16)
            } else if name.elementsEqual(Field.size) {
                item.sizeBytes = integer(value, maximum: maximumSizeBytes)
            }
        }
        guard let key, !key.isEmpty, let expires else { return nil }
        item.key = key
        item.expiresAt = expires
        return item
    }

    /// Digits → a value in 0…maximum; anything else → nil.
    static func integer(_ digits: ArraySlice<UInt8>, maximum: Int) -> Int? {
        guard !digits.isEmpty, digits.count <= 19 else { return nil }
        var value = 0
        for byte in digits {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value <= maximum ? value : nil
    }

    static func unixSeconds(_ digits: ArraySlice<UInt8>) -> Int64? {
        integer(digits, maximum: Int(maximumUnixSeconds)).map(Int64.init)
    }

    /// `%XX` → the byte; a `%` not followed by two hex digits stays as it is. Nil above `maximumKeyBytes`.
    public static func urlDecoded(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(min(text.count, maximumKeyBytes))
        var index = text.startIndex
        while index < text.endIndex {
            let byte = text[index]
            if byte == 0x25, text.distance(from: index, to: text.endIndex) >= 3,
               let high = hexValue(text[text.index(index, offsetBy: 1)]), let low = hexValue(text[text.index(index, offsetBy: 2)]) {
                out.append(high << 4 | low)
                index = text.index(index, offsetBy: 3)
            } else {
                out.append(byte)
                index = text.index(after: index)
            }
            if out.count > maximumKeyBytes { return nil }
        }
        return out
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }
}
