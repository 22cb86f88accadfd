import Foundation

/// The log line layouts the boilerplate writes (`logs.sources[].format`).
public enum LogFormat: String, Sendable, CaseIterable {
    /// `2026-11-26 22:30:01 [ WARNING] name: message` (local/development).
    case detailed
    /// `2026-11-26 22:30:01,123 - name - WARNING - message` (older layout).
    case classic
    /// `timestamp=<ISO-8601> level=WARNING module=… message="…" key=value` (staging).
    case structured
    /// One JSON object per line (production, structlog).
    case json
    /// Anything else: the arrival time is the line's time.
    case plain
}

/// Where the parts of one recognised line sit (byte offsets into the line).
public struct LogLineShape: Sendable, Equatable {
    /// How the line's message is escaped inside the line.
    public enum Escaping: Sendable, Equatable {
        /// The bytes are the message.
        case none
        /// A JSON string body (`\"`, `\\`, `\n`, `\uXXXX` …).
        case json
        /// A logfmt-style quoted value (`\"`, `\\`, `\n`).
        case quoted
    }

    public var format: LogFormat
    /// The timestamp's bytes (nil for plain lines).
    public var timestampRange: Range<Int>?
    /// The timestamp as a number (JSON `time: 1764196201.5`), seconds or milliseconds since 1970.
    public var timestampNumeric: Bool
    public var levelRange: Range<Int>?
    public var messageRange: Range<Int>
    public var messageEscaping: Escaping

    public init(format: LogFormat, timestampRange: Range<Int>?, timestampNumeric: Bool = false, levelRange: Range<Int>?,
                messageRange: Range<Int>, messageEscaping: Escaping = .none) {
        self.format = format
        self.timestampRange = timestampRange
        self.timestampNumeric = timestampNumeric
        self.levelRange = levelRange
        self.messageRange = messageRange
        self.messageEscaping = messageEscaping
    }
}
