import Foundation

/// The first entry of a recording: what wrote it, when, and against which target.
public struct RecordingHeader: Equatable, Sendable {
    /// The `format` field every recording starts with.
    public static let formatName = "cachewatch-recording"
    /// The version this cachewatch writes; it reads every version from 1 up to this one.
    /// Version 2 added `events_ref` (events stored only when they changed); version 1 files have none.
    public static let currentVersion = 2

    public var version: Int
    /// `cachewatch --version` of the writer (display only; escaped before it is shown).
    public var cachewatchVersion: String
    /// The `target` object of the documents (as written by the writer).
    public var target: JSONValue
    public var startedAt: Date
    /// Seconds between entries the writer aimed for (informational).
    public var intervalSeconds: Double

    public init(version: Int = RecordingHeader.currentVersion, cachewatchVersion: String, target: JSONValue,
                startedAt: Date, intervalSeconds: Double) {
        self.version = version
        self.cachewatchVersion = cachewatchVersion
        self.target = target
        self.startedAt = startedAt
        self.intervalSeconds = intervalSeconds
    }

    /// The header line's object, keys in README order.
    public var json: JSONValue {
        .object([
            ("format", .string(Self.formatName)),
            ("version", .int(version)),
            ("cachewatch_version", .string(cachewatchVersion)),
            ("target", target),
            ("started_at", .string(ISOTime.format(startedAt))),
            ("interval_seconds", .number(intervalSeconds)),
        ])
    }

    /// Why a header cannot be used, as one sentence.
    public enum Problem: Error, Equatable, CustomStringConvertible {
        case notARecording
        case newerVersion(Int)
        case invalid(String)

        public var description: String {
            switch self {
            case .notARecording: return "it is not a cachewatch recording (no \"format\": \"\(RecordingHeader.formatName)\" header)"
            case let .newerVersion(version):
                return "it was written in recording format version \(version), newer than this cachewatch reads (up to \(RecordingHeader.currentVersion)); upgrade cachewatch"
            case let .invalid(reason): return "its header is invalid (\(reason))"
            }
        }
    }

    /// Reads a header object; every field is checked (the file may come from anywhere).
    public static func decode(_ value: JSONValue) throws -> RecordingHeader {
        guard case .string(formatName)? = value["format"] else { throw Problem.notARecording }
        guard case let .int(version)? = value["version"] else { throw Problem.invalid("\"version\" is not an integer") }
        guard version >= 1 else { throw Problem.invalid("\"version\" \(version) is below 1") }
        guard version <= currentVersion else { throw Problem.newerVersion(version) }
        guard case let .string(started)? = value["started_at"], let startedAt = RecordingTime.parseISO(started) else {
            throw Problem.invalid("\"started_at\" is not an ISO-8601 time")
        }
        var cachewatchVersion = "unknown"
        if case let .string(text)? = value["cachewatch_version"] { cachewatchVersion = String(text.prefix(64)) }
        var interval = 1.0
        switch value["interval_seconds"] {
        case let .int(number)?: interval = Double(number)
        case let .double(number)?: interval = number
        default: break
        }
        if !interval.isFinite || interval < 0.001 || interval > 86_400 { interval = 1 }
        return RecordingHeader(version: version, cachewatchVersion: cachewatchVersion, target: value["target"] ?? .null,
                               startedAt: startedAt, intervalSeconds: interval)
    }
}
