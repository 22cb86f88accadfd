import CachewatchRedis
import CachewatchTerminal
import Foundation

/// What `cachewatch --version` prints: the release, the git commit, the C libraries and how Swift is linked.
struct VersionInfo {
    /// The release version: the one place it is written (`make dist` names its artifacts from it).
    static let release = "0.2.0"

    var release: String
    var commit: String
    var hiredis: String
    var curses: String
    var swiftRuntimeIsStatic: Bool

    /// The running binary's facts (`buildCommit` comes from BuildCommitPlugin at build time).
    static var current: VersionInfo {
        VersionInfo(release: release, commit: buildCommit, hiredis: hiredisVersion, curses: cursesLibraryVersion(),
                    swiftRuntimeIsStatic: !sharedLibraryIsLoaded("libswiftCore.so"))
    }

    /// `cachewatch 0.2.0` then one `name: value` line per fact.
    var text: String {
        """
        cachewatch \(release)
        commit: \(commit)
        hiredis: \(hiredis)
        ncurses: \(curses)
        swift runtime: \(swiftRuntimeIsStatic ? "static" : "shared (libswiftCore.so)")
        """
    }

    /// `6.4.20221231` from curses' own `ncurses 6.4.20221231`.
    private static func cursesLibraryVersion() -> String {
        let text = cursesVersion()
        return text.hasPrefix("ncurses ") ? String(text.dropFirst("ncurses ".count)) : text
    }

    /// True when the dynamic loader already has `name` mapped (RTLD_NOLOAD never loads anything).
    private static func sharedLibraryIsLoaded(_ name: String) -> Bool {
        guard let handle = dlopen(name, RTLD_LAZY | RTLD_NOLOAD) else { return false }
        dlclose(handle)
        return true
    }
}
