import Foundation

// MARK: - redis:// and unix:// URLs

/// The parts a connection URL gave (nil = not in the URL).
struct ParsedConnectionURL: Equatable, Sendable {
    var host: String?
    var port: Int?
    var socketPath: String?
    var username: String?
    var password: String?
    var db: Int?

    private static let form = "redis://[user[:pass]@]host[:port][/db] or unix:///path/to/socket?db=N"

    /// Parses `redis://[user[:pass]@]host[:port][/db][?db=N]` or `unix://[user[:pass]@]/path[?db=N]`.
    ///
    /// Errors never quote the URL (it may hold a password); a lone `user@` is a user name, as in RFC 3986.
    /// The database number is bounded like `--db` (0…2^31-1).
    static func parse(_ text: String) throws -> ParsedConnectionURL {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let schemeEnd = trimmed.range(of: "://") else {
            throw malformed("has no scheme")
        }
        let scheme = trimmed[..<schemeEnd.lowerBound].lowercased()
        var rest = Substring(trimmed[schemeEnd.upperBound...])
        try checkScheme(scheme)

        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        var query: Substring = ""
        if let question = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: question)...]
            rest = rest[..<question]
        }

        var parsed = ParsedConnectionURL()
        // Authority ends at the first "/" after the user info (a password may contain "/" only percent-encoded).
        let authority: Substring
        let path: Substring
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = rest[slash...]
        } else {
            authority = rest
            path = ""
        }

        var hostPort = authority
        if let at = authority.lastIndex(of: "@") {
            hostPort = authority[authority.index(after: at)...]
            try parseUserInfo(authority[..<at], into: &parsed)
        }

        if scheme == "unix" {
            guard hostPort.isEmpty || hostPort == "localhost" else { throw malformed("names a host in a unix:// URL") }
            guard path.count > 1, let decodedPath = String(path).removingPercentEncoding else { throw malformed("has no socket path") }
            parsed.socketPath = decodedPath
        } else {
            try parseHostPort(hostPort, into: &parsed)
            let dbText = path.drop { $0 == "/" }
            if !dbText.isEmpty { parsed.db = try database(dbText) }
        }

        for item in query.split(separator: "&") {
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2, pair[0] == "db" else { continue }
            parsed.db = try database(pair[1])
        }
        return parsed
    }

    /// Accepts redis:// and unix://; rediss:// (TLS) and any other scheme get their own sentence.
    private static func checkScheme(_ scheme: String) throws {
        switch scheme {
        case "redis", "unix": return
        case "rediss":
            throw ConnectionOptionsError(kind: .tlsUnsupported,
                                         message: "TLS (rediss://) is not supported by cachewatch yet; connect with redis:// through a local tunnel such as stunnel.")
        default:
            let shown = scheme.allSatisfy { $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." } && scheme.count <= 20
                ? "\"\(scheme)://\"" : "in the URL"
            throw ConnectionOptionsError(kind: .unsupportedScheme,
                                         message: "The URL scheme \(shown) is not supported; use redis:// or unix://.")
        }
    }

    /// `user[:pass]` (percent-decoded; empty parts are left unset).
    private static func parseUserInfo(_ userInfo: Substring, into parsed: inout ParsedConnectionURL) throws {
        let user: Substring
        var pass: Substring?
        if let colon = userInfo.firstIndex(of: ":") {
            user = userInfo[..<colon]
            pass = userInfo[userInfo.index(after: colon)...]
        } else {
            user = userInfo
        }
        guard let decodedUser = String(user).removingPercentEncoding else { throw malformed("has a bad %-escape in the user name") }
        if !decodedUser.isEmpty { parsed.username = decodedUser }
        if let pass {
            guard let decodedPass = String(pass).removingPercentEncoding else { throw malformed("has a bad %-escape in the password") }
            if !decodedPass.isEmpty { parsed.password = decodedPass }
        }
    }

    /// A database number from the path or `?db=`: ASCII digits, 0…2^31-1.
    private static func database(_ text: Substring) throws -> Int {
        guard let db = Int(text), text.allSatisfy(\.isASCIIDigit), db <= Int(Int32.max) else {
            throw ConnectionOptionsError(kind: .badDB, message: "The database number in the URL is not a whole number of 0 or more.")
        }
        return db
    }

    private static func parseHostPort(_ hostPort: Substring, into parsed: inout ParsedConnectionURL) throws {
        var host: Substring
        var portText: Substring?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw malformed("has an unclosed [ in the host") }
            host = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
            let after = hostPort[hostPort.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw malformed("has text after the host") }
                portText = after.dropFirst()
            }
        } else {
            let colons = hostPort.filter { $0 == ":" }.count
            guard colons <= 1 else { throw malformed("has more than one : in the host (write IPv6 addresses as [::1])") }
            if let colon = hostPort.firstIndex(of: ":") {
                host = hostPort[..<colon]
                portText = hostPort[hostPort.index(after: colon)...]
            } else {
                host = hostPort
            }
        }
        guard let decodedHost = String(host).removingPercentEncoding,
              !decodedHost.contains(where: { $0.isWhitespace || $0 == "@" || $0 == "/" }) else {
            throw malformed("has an invalid host")
        }
        if !decodedHost.isEmpty { parsed.host = decodedHost }
        if let portText, !portText.isEmpty {
            guard portText.allSatisfy(\.isASCIIDigit), let port = Int(portText), (1...65535).contains(port) else {
                throw ConnectionOptionsError(kind: .badPort, message: "The port in the URL is not a number between 1 and 65535.")
            }
            parsed.port = port
        }
    }

    private static func malformed(_ why: String) -> ConnectionOptionsError {
        ConnectionOptionsError(kind: .malformedURL, message: "The URL \(why); expected \(form).")
    }
}

extension Character {
    /// 0-9 only (not other scripts' digits).
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
