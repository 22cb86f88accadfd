import Foundation
import XCTest

/// A test's server or tool is missing: outside CI the test is skipped, under CI (`CI=true`) it fails.
public struct PrerequisiteMissing: Error, CustomStringConvertible {
    public let description: String
}

/// The error to throw when a prerequisite (redis-server, memcached, tmux …) is missing: `XCTSkip` on a
/// developer's machine, a failure under CI so a broken environment never passes as green.
public func prerequisiteMissing(_ reason: String) -> Error {
    let ci = ProcessInfo.processInfo.environment["CI"]?.lowercased()
    if ci == "true" || ci == "1" {
        return PrerequisiteMissing(description: "\(reason) (CI=true: a missing prerequisite fails the run; run make deps)")
    }
    return XCTSkip(reason)
}
