import ArgumentParser
import CachewatchCore
import CachewatchTerminal
import Foundation

/// How the dashboard looks and sounds.
struct DisplayArguments: ParsableArguments {
    @Option(name: .long, help: "Theme name (default, dark-8, high-contrast, monochrome) or path to a .toml theme.")
    var theme: String?

    @Flag(name: .long, help: "Ring the terminal bell when the fail-open state turns critical.")
    var bell = false

    @Flag(name: .long, help: "Draw with ASCII only (also automatic when the locale is not UTF-8).")
    var ascii = false

    @Option(name: .customLong("stderr-log"), help: "Where stderr goes while the dashboard owns the screen.")
    var stderrLog: String?

    /// Loads and validates the theme before the screen is taken (a bad file fails with file:line: reason).
    func loadTheme() throws -> Theme {
        do {
            return try Theme.named(theme ?? "default", searchDirectories: themeDirectories())
        } catch let error as ThemeError {
            throw CLIError(error.description)
        } catch let error as TOMLError {
            throw CLIError(String(describing: error))
        }
    }

    /// The curses terminal for these options (nothing is touched until `start()`).
    func makeTerminal() throws -> CursesTerminal {
        let logPath = stderrLog ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("cachewatch-\(getpid()).stderr.log").path
        return CursesTerminal(theme: try loadTheme(), asciiOnly: ascii, stderrLogPath: logPath)
    }

    /// `$XDG_CONFIG_HOME/cachewatch/themes`, `~/.config/cachewatch/themes`, `./themes`, then the installed
    /// `<prefix>/share/cachewatch/themes` beside `<prefix>/bin/cachewatch` (`/usr/share/…` from the .deb).
    private func themeDirectories() -> [String] {
        let environment = ProcessInfo.processInfo.environment
        var directories: [String] = []
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { directories.append(xdg + "/cachewatch/themes") }
        if let home = environment["HOME"], !home.isEmpty { directories.append(home + "/.config/cachewatch/themes") }
        directories.append("themes")
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let prefix = executable.deletingLastPathComponent().deletingLastPathComponent()
        directories.append(prefix.appendingPathComponent("share/cachewatch/themes").path)
        return directories
    }
}
