import CachewatchCore

/// What the server lets the census do, learned as it goes. A command refused once (ACL `NOPERM`, unknown or renamed)
/// is never sent again by that runner, and one note says what is missing and why.
struct ServerFeatures {
    /// A part of the census that depends on one command.
    enum Feature: Equatable {
        /// `TYPE`: the type mix.
        case type
        /// `MEMORY USAGE`: the memory column.
        case memory
        /// `STRLEN` / `GETRANGE` (the command that failed): the look at values.
        case values(command: String)
        /// `DBSIZE`: the progress total.
        case dbsize
    }

    private(set) var typeAllowed = true
    private(set) var memoryAllowed = true
    /// False once `STRLEN`/`GETRANGE` were refused: values are not looked at again.
    private(set) var valuesAllowed = true
    private(set) var dbsizeAllowed = true
    /// nil: not answered yet; true: `CLIENT NO-TOUCH ON` was accepted; false: the server has no CLIENT NO-TOUCH
    /// (before 7.2) or denies it (ACL), so it is never sent again.
    var noTouchSupported: Bool?
    /// One sentence per disabled feature, in the order they were disabled.
    private(set) var notes: [String] = []

    /// Turns `feature` off after `error` (only its first refusal counts) and notes why.
    mutating func disable(_ feature: Feature, because error: RedisError) {
        let name: String
        let consequence: String
        switch feature {
        case .type:
            guard typeAllowed else { return }
            typeAllowed = false
            (name, consequence) = ("TYPE", "so the census shows no type mix.")
        case .memory:
            guard memoryAllowed else { return }
            memoryAllowed = false
            (name, consequence) = ("MEMORY USAGE", "so the census shows no memory column.")
        case .values(let command):
            guard valuesAllowed else { return }
            valuesAllowed = false
            name = command.uppercased()
            consequence = "so the census does not look for \"\(ValueClass.notFoundSentinelText)\" negative caches or falsy values."
        case .dbsize:
            guard dbsizeAllowed else { return }
            dbsizeAllowed = false
            notes.append("DBSIZE failed (\(error.message)), so progress has no total.")
            return
        }
        if case .noPermission = error {
            notes.append("\(name) is denied to this user (ACL NOPERM), \(consequence)")
        } else {
            notes.append("\(name) failed (\(error.message)), \(consequence)")
        }
    }
}
