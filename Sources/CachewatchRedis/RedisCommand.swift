/// A read-only Redis command. There is no public way to build an arbitrary argv:
/// only the static constructors below, each a command on the read-only allow-list.
public struct RedisCommand: Equatable, Sendable, CustomStringConvertible {
    /// The argv sent to Redis (binary-safe).
    public let arguments: [[UInt8]]

    /// Builds a command from raw arguments. Internal: tests use it to prove the send path rejects writes.
    init(unchecked arguments: [[UInt8]]) {
        self.arguments = arguments
    }

    private init(_ words: String..., bytes: [[UInt8]] = []) {
        self.arguments = words.map { Array($0.utf8) } + bytes
    }

    // MARK: - Allow-list

    /// Command names (upper case, with the subcommand for container commands) that may be sent.
    public static let allowList: Set<String> = [
        "PING", "INFO", "SCAN", "TYPE", "PTTL", "STRLEN", "GETRANGE", "DBSIZE", "SELECT", "AUTH",
        "MEMORY USAGE", "CLIENT SETNAME", "CLIENT NO-TOUCH", "CLIENT LIST",
        "CLUSTER SHARDS", "CLUSTER NODES", "CLUSTER INFO", "READONLY",
    ]

    /// Commands whose first argument is a subcommand.
    static let containerCommands: Set<String> = ["MEMORY", "OBJECT", "CLIENT", "CLUSTER", "CONFIG", "SLOWLOG", "LATENCY", "ACL", "SCRIPT",
                                                 "FUNCTION", "MODULE", "XINFO", "XGROUP", "COMMAND", "DEBUG"]

    /// The command name as the allow-list spells it (`MEMORY USAGE`, `PING`), from an argv.
    static func name(of arguments: [[UInt8]]) -> String {
        guard let first = arguments.first else { return "" }
        let head = String(decoding: first, as: UTF8.self).uppercased()
        if containerCommands.contains(head) {
            let sub = arguments.count > 1 ? String(decoding: arguments[1], as: UTF8.self).uppercased() : ""
            return sub.isEmpty ? head : "\(head) \(sub)"
        }
        return head
    }

    /// Exact argv[0] spellings our constructors produce for commands without a subcommand (fast path).
    private static let plainAllowedBytes: Set<[UInt8]> = Set(allowList.filter { !$0.contains(" ") }.map { Array($0.utf8) })

    /// Exact argv[0] argv[1] spellings our constructors produce for allowed container commands (fast path: the
    /// census sends `MEMORY USAGE` for every key, and the general check builds upper-cased Strings).
    private static let containerAllowedBytes: [([UInt8], [UInt8])] = allowList.compactMap { name in
        let words = name.split(separator: " ")
        return words.count == 2 ? (Array(words[0].utf8), Array(words[1].utf8)) : nil
    }

    /// True when an argv names an allowed read-only command (the defence-in-depth check at send time).
    static func isAllowed(_ arguments: [[UInt8]]) -> Bool {
        guard let first = arguments.first else { return false }
        // The census's per-key words first: the constructors share these arrays, so `==` is an identity check.
        if first == pttlWord || first == typeWord { return true }
        if plainAllowedBytes.contains(first) { return true }
        if arguments.count > 1 {
            for (head, sub) in containerAllowedBytes where first == head && arguments[1] == sub { return true }
        }
        return allowList.contains(name(of: arguments))
    }

    /// The command name, e.g. `MEMORY USAGE`.
    public var name: String { Self.name(of: arguments) }

    /// The command's lower-case name as Redis reports it in NOPERM errors (`info`, `memory|usage`).
    public var aclName: String { name.lowercased().replacingOccurrences(of: " ", with: "|") }

    /// A display form that never shows a password (AUTH arguments are masked) and escapes bytes.
    public var description: String {
        if name == "AUTH" { return "AUTH ****" }
        return arguments.map { arg in
            arg.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) ? String(decoding: arg, as: UTF8.self) : "\"" + arg.map { byte -> String in
                byte >= 0x20 && byte < 0x7f && byte != 0x22 && byte != 0x5c ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16).leftPadded(2)
            }.joined() + "\""
        }.joined(separator: " ")
    }

    // MARK: - Constructors (the allow-list)

    /// `PING`.
    public static let ping = RedisCommand("PING")
    /// `INFO section` (default `everything`).
    public static func info(section: String = "everything") -> RedisCommand { RedisCommand("INFO", section) }
    /// `SCAN cursor COUNT n` with a byte cursor as returned by the previous SCAN.
    public static func scan(cursor: [UInt8], count: Int) -> RedisCommand {
        RedisCommand(unchecked: [Array("SCAN".utf8), cursor, Array("COUNT".utf8), Array(String(count).utf8)])
    }
    /// `SCAN cursor COUNT n` with a textual cursor (`"0"` to start).
    public static func scan(cursor: String, count: Int) -> RedisCommand {
        scan(cursor: Array(cursor.utf8), count: count)
    }
    private static let typeWord = Array("TYPE".utf8)
    private static let pttlWord = Array("PTTL".utf8)
    private static let memoryWord = Array("MEMORY".utf8)
    private static let usageWord = Array("USAGE".utf8)
    private static let samplesWord = Array("SAMPLES".utf8)
    private static let strlenWord = Array("STRLEN".utf8)
    private static let getrangeWord = Array("GETRANGE".utf8)
    private static let zeroWord = Array("0".utf8)

    /// `TYPE key`.
    public static func type(key: [UInt8]) -> RedisCommand { RedisCommand(unchecked: [typeWord, key]) }
    /// `PTTL key` (milliseconds; -1 no TTL, -2 no key).
    public static func pttl(key: [UInt8]) -> RedisCommand { RedisCommand(unchecked: [pttlWord, key]) }
    /// `STRLEN key` (a string value's length in bytes; 0 for a missing key).
    public static func strlen(key: [UInt8]) -> RedisCommand { RedisCommand(unchecked: [strlenWord, key]) }
    /// `GETRANGE key start end` (inclusive byte offsets): the census reads at most 13 bytes, and only of values
    /// that short (`STRLEN` first), never a whole value.
    public static func getrange(key: [UInt8], start: Int, end: Int) -> RedisCommand {
        RedisCommand(unchecked: [getrangeWord, key, Array(String(start).utf8), Array(String(end).utf8)])
    }
    /// `MEMORY USAGE key SAMPLES n` (0 = sample every nested value).
    public static func memoryUsage(key: [UInt8], samples: Int = 0) -> RedisCommand {
        RedisCommand(unchecked: [memoryWord, usageWord, key, samplesWord, samples == 0 ? zeroWord : Array(String(samples).utf8)])
    }
    /// `MEMORY USAGE key` (Redis's default of 5 samples: exact for strings and compact encodings).
    public static func memoryUsageWithDefaultSamples(key: [UInt8]) -> RedisCommand {
        RedisCommand(unchecked: [memoryWord, usageWord, key])
    }
    /// `DBSIZE`.
    public static let dbsize = RedisCommand("DBSIZE")
    /// `CLIENT SETNAME name` (only sets our own connection's name).
    public static func clientSetName(_ name: String) -> RedisCommand { RedisCommand("CLIENT", "SETNAME", name) }
    /// `CLIENT LIST TYPE normal` (the other cachewatch processes are recognised by their client name).
    public static let clientList = RedisCommand("CLIENT", "LIST", "TYPE", "normal")
    /// `CLIENT NO-TOUCH ON|OFF` (Redis 7.2+: our reads do not change LRU/LFU).
    public static func clientNoTouch(_ on: Bool) -> RedisCommand { RedisCommand("CLIENT", "NO-TOUCH", on ? "ON" : "OFF") }
    /// `CLUSTER SHARDS` (Redis ≥ 7.0: the cluster's shards, slots and announced endpoints).
    public static let clusterShards = RedisCommand("CLUSTER", "SHARDS")
    /// `CLUSTER NODES` (the cluster's nodes as text; older servers).
    public static let clusterNodes = RedisCommand("CLUSTER", "NODES")
    /// `CLUSTER INFO` (`cluster_state`, slot health).
    public static let clusterInfo = RedisCommand("CLUSTER", "INFO")
    /// `READONLY` (`--scan-replicas`: a cluster replica answers reads on this connection; changes nothing on the server).
    public static let readOnly = RedisCommand("READONLY")
    /// `SELECT db` (changes only our connection's database).
    public static func select(_ db: Int) -> RedisCommand { RedisCommand("SELECT", String(db)) }
    /// `AUTH password` (legacy requirepass / default user).
    public static func auth(password: String) -> RedisCommand { RedisCommand("AUTH", password) }
    /// `AUTH username password` (ACL user).
    public static func auth(user: String, password: String) -> RedisCommand { RedisCommand("AUTH", user, password) }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
