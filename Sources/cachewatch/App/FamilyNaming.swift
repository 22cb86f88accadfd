import CachewatchCore

/// The family inference shared by the log followers (keys named in fail-open lines).
enum FamilyNaming {
    private static let namer = KeyFamilyNamer()

    /// The family of a key found in a log line.
    static let familyOf: @Sendable ([UInt8]) -> String = { namer.family(of: $0) }
}
