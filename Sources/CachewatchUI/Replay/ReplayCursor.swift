import Foundation

/// The replay's position in time, its speed and whether it plays (pure; the event loop drives it).
public struct ReplayCursor: Equatable, Sendable {
    /// Playback speeds `+`/`-` step through.
    public static let speeds: [Double] = [1, 2, 5, 10, 20, 30, 60]

    public let start: Date
    public let end: Date
    public private(set) var time: Date
    public private(set) var speedIndex = 0
    public var playing = true

    public init(start: Date, end: Date) {
        self.start = start
        self.end = max(start, end)
        time = start
    }

    public var speed: Double { Self.speeds[speedIndex] }

    /// Moves forward by `seconds` of wall time at the current speed; stops playing at the end.
    public mutating func advance(by seconds: Double) {
        guard playing, seconds.isFinite, seconds > 0 else { return }
        jump(to: time.addingTimeInterval(min(seconds, 10) * speed))
        if time >= end { playing = false }
    }

    /// Moves by `seconds` of recording time (negative: back).
    public mutating func seek(by seconds: Double) {
        jump(to: time.addingTimeInterval(seconds))
    }

    /// Moves to `date`, clamped to the recording.
    public mutating func jump(to date: Date) {
        time = min(max(date, start), end)
    }

    /// `+` (up) / `-`.
    public mutating func changeSpeed(up: Bool) {
        speedIndex = min(max(0, speedIndex + (up ? 1 : -1)), Self.speeds.count - 1)
    }
}
