import CachewatchCore
import CachewatchUI
import CNcursesw
import Foundation

/// Why the terminal could not be started.
public struct TerminalError: Error, CustomStringConvertible {
    public var description: String
}

/// The curses backend: paints `Grid`s with the theme's colours and reads keys.
///
/// A minimal event loop (the executable owns the real one):
///
///     let theme = try Theme.named(themeName, searchDirectories: ["themes"])   // fails with file:line: reason
///     installStopHandlers()                                                 // the executable: signals → a flag
///     let terminal = CursesTerminal(theme: theme, stderrLogPath: logPath)
///     try terminal.start()
///     defer { terminal.restore() }
///     var state = DashboardState()
///     while !stopRequested {
///         let model = latestSnapshot()                                       // frozen while state.paused
///         terminal.paint(DashboardRenderer.render(model: model, state: state, size: terminal.size(), glyphs: terminal.glyphs))
///         guard let key = terminal.readKey(timeoutMilliseconds: 250) else { continue }
///         let (next, action) = DashboardController.handle(key: key, state: state, model: model, size: terminal.size())
///         state = next
///         if action == .quit { break }
///         if action == .redraw { terminal.invalidate() }
///     }
///
/// Threading: every method must be called from the one thread that runs the event loop (curses is not
/// thread-safe). Signal handlers must not call it: they raise a flag (the executable's `StopRequest`) and the loop calls
/// `restore()`. `restore()` is idempotent and also registered with `atexit`, so `exit()` restores the terminal.
public final class CursesTerminal {
    // MARK: - State

    /// The glyph set chosen for this terminal (Unicode only with a UTF-8 locale and a capable TERM).
    public private(set) var glyphs: Glyphs = .ascii
    /// The theme after degradation to the terminal's colours (monochrome under NO_COLOR).
    public private(set) var theme: Theme
    /// Colours the terminal reported (0 without colour support).
    public private(set) var colorCount: Int = 0
    /// True between `start()` and `restore()`.
    public private(set) var isActive = false
    /// Bytes-saving statistic: cells written by the last `paint`.
    public private(set) var lastPaintedCells = 0

    private let requestedTheme: Theme
    private let environment: [String: String]
    private let asciiOnly: Bool
    private let stderrLogPath: String?
    /// True when `start()` created the stderr log (so `restore()` may remove it if nothing was written).
    private var createdStderrLog = false
    private var savedStderr: Int32 = -1
    private var screen: OpaquePointer?
    private var defaultColorsAvailable = true
    private var ttyInput: UnsafeMutablePointer<FILE>?
    private var previous: Grid?
    private var attributes: [StyleRole: (attrs: attr_t, pair: Int16)] = [:]

    /// Prepares a terminal (nothing is touched until `start()`). Resolve and validate the theme before this call
    /// (`Theme.named`) so a bad theme file fails before the screen is taken.
    public init(theme: Theme, environment: [String: String] = ProcessInfo.processInfo.environment, asciiOnly: Bool = false,
                stderrLogPath: String? = nil) {
        self.requestedTheme = theme
        self.theme = theme
        self.environment = environment
        self.asciiOnly = asciiOnly
        self.stderrLogPath = stderrLogPath
    }

    deinit { restore() }

    // MARK: - Start and restore

    /// Takes the screen: locale, newterm (stdout; keys from stdin or /dev/tty), cbreak, noecho, keypad, escdelay 25 ms, hidden cursor, colours.
    public func start() throws {
        guard !isActive else { return }
        setlocale(LC_ALL, "")
        glyphs = CursesTerminal.chooseGlyphs(codesetIsUTF8: cw_codeset_is_utf8() != 0, term: environment["TERM"], asciiOnly: asciiOnly)
        guard isatty(STDOUT_FILENO) == 1 else {
            throw TerminalError(description: "the dashboard needs a terminal on stdout; use `cachewatch watch --json` for scripts.")
        }
        // Keys come from stdin, or from /dev/tty when stdin carries a log (`kubectl logs -f … | cachewatch --log -`).
        var input: UnsafeMutablePointer<FILE>? = stdin
        if isatty(STDIN_FILENO) != 1 {
            guard let tty = fopen("/dev/tty", "r") else {
                throw TerminalError(description: "stdin is not a terminal and /dev/tty cannot be opened for the keyboard.")
            }
            input = tty
            ttyInput = tty
        }
        let term = environment["TERM"].flatMap { $0.isEmpty ? nil : $0 }
        guard let term else {
            closeTTYInput()
            throw TerminalError(description: "TERM is not set; set it to your terminal type (for example TERM=xterm-256color).")
        }
        if let path = stderrLogPath {
            createdStderrLog = access(path, F_OK) != 0
            do { savedStderr = try redirectStderr(to: path) } catch { closeTTYInput(); throw error }
        }
        screen = term.withCString { newterm(UnsafeMutablePointer(mutating: $0), stdout, input) }
        guard screen != nil else {
            restoreStderr(savedStderr)
            savedStderr = -1
            closeTTYInput()
            throw TerminalError(description: "cannot start the dashboard on terminal type '\(term)' (unknown to terminfo?).")
        }
        isActive = true
        CursesTerminal.registerExitHook(self)
        cbreak()
        noecho()
        nonl()
        keypad(cw_stdscr(), true)
        set_escdelay(25)
        curs_set(0)
        setupColors()
        previous = nil
    }

    /// Gives the terminal back (endwin, stderr restored). Safe to call more than once.
    public func restore() {
        guard isActive else { return }
        isActive = false
        curs_set(1)
        endwin()
        if let screen { delscreen(screen) }
        screen = nil
        closeTTYInput()
        if savedStderr >= 0 {
            restoreStderr(savedStderr)
            savedStderr = -1
            removeEmptyStderrLog()
        }
        previous = nil
    }

    /// Removes the stderr log this run created when nothing was written to it (no empty file left per run).
    private func removeEmptyStderrLog() {
        guard createdStderrLog, let path = stderrLogPath else { return }
        createdStderrLog = false
        var info = stat()
        if stat(path, &info) == 0, info.st_size == 0 { unlink(path) }
    }

    private func closeTTYInput() {
        if let tty = ttyInput { fclose(tty) }
        ttyInput = nil
    }

    /// The glyph rule: Unicode only when the locale's codeset is UTF-8 and TERM is not vt100/vt220/dumb-like.
    public static func chooseGlyphs(codesetIsUTF8: Bool, term: String?, asciiOnly: Bool = false) -> Glyphs {
        guard !asciiOnly, codesetIsUTF8 else { return .ascii }
        let t = (term ?? "").lowercased()
        if t.isEmpty || t == "dumb" || t == "unknown" || t.hasPrefix("vt") || t == "ansi" || t == "cons25" { return .ascii }
        return .unicode
    }

    // MARK: - Colours

    private func setupColors() {
        attributes = [:]
        colorCount = 0
        if has_colors() {
            start_color()
            defaultColorsAvailable = use_default_colors() != cw_err()
            colorCount = Int(cw_colors())
        }
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty
        if noColor || colorCount < 8 {
            theme = (try? Theme.named("monochrome")) ?? requestedTheme
        } else {
            theme = requestedTheme.degraded(toColorCount: colorCount)
        }
        let usePairs = !noColor && colorCount >= 8 && theme.colors > 0
        for (index, role) in StyleRole.allCases.enumerated() {
            let style = theme.style(for: role.rawValue)
            var attrs = cw_a_normal()
            if style.bold { attrs |= cw_a_bold() }
            if style.reverse { attrs |= cw_a_reverse() }
            if style.underline { attrs |= cw_a_underline() }
            if style.dim { attrs |= cw_a_dim() }
            var pair: Int16 = 0
            if usePairs, index + 1 < Int(cw_color_pairs()) {
                pair = Int16(index + 1)
                init_pair(pair, cursesColor(style.foreground, isBackground: false), cursesColor(style.background, isBackground: true))
            }
            attributes[role] = (attrs, pair)
        }
    }

    /// Curses colour number; the terminal default is -1, or white on black where default colours are unsupported.
    private func cursesColor(_ color: ThemeColor, isBackground: Bool) -> Int16 {
        switch color {
        case .terminalDefault: return defaultColorsAvailable ? -1 : (isBackground ? 0 : 7)
        case .index(let n): return Int16(min(n, max(0, colorCount - 1)))
        }
    }

    // MARK: - Output

    /// The current size in columns and rows.
    public func size() -> TerminalSize {
        guard isActive else { return TerminalSize(width: 80, height: 24) }
        return TerminalSize(width: Int(cw_getmaxx(cw_stdscr())), height: Int(cw_getmaxy(cw_stdscr())))
    }

    /// Forgets the previous frame so the next `paint` redraws every cell (after a resize or Ctrl-L).
    public func invalidate() {
        previous = nil
        if isActive { clearok(cw_stdscr(), true) }
    }

    /// Draws a grid, writing only the cells that changed since the last frame, then refreshes once.
    public func paint(_ grid: Grid) {
        guard isActive else { return }
        if previous?.width != grid.width || previous?.height != grid.height {
            erase()
            previous = nil
        }
        var written = 0
        for y in 0..<grid.height {
            let row = Array(grid.row(y))
            var first = 0
            var last = row.count - 1
            if let old = previous {
                let oldRow = Array(old.row(y))
                while first < row.count, row[first] == oldRow[first] { first += 1 }
                if first == row.count { continue }
                while last > first, row[last] == oldRow[last] { last -= 1 }
            }
            if first > 0, row[first].isContinuation { first -= 1 }
            var x = first
            while x <= last {
                let cell = row[x]
                if cell.isContinuation { x += 1; continue }
                let style = attributes[cell.role] ?? (cw_a_normal(), 0)
                var wide = Array(cell.text.unicodeScalars.map { wchar_t(bitPattern: $0.value) })
                wide.append(0)
                _ = cw_put_cell(Int32(y), Int32(x), wide, style.attrs, style.pair)
                written += 1
                x += max(1, cell.width)
            }
        }
        lastPaintedCells = written
        previous = grid
        refresh()
    }

    /// Rings the terminal bell (for `--bell` on a crit transition).
    public func bell() {
        guard isActive else { return }
        beep()
    }

    // MARK: - Input

    /// Waits up to `timeoutMilliseconds` for a key; nil on timeout. `KEY_RESIZE` → `.resize`.
    public func readKey(timeoutMilliseconds: Int) -> InputKey? {
        guard isActive else { return nil }
        var code: UInt32 = 0
        let status = cw_read_key(Int32(timeoutMilliseconds), &code)
        if status == cw_err() { return nil }
        if status == cw_key_code_yes() { return CursesTerminal.functionKey(Int32(bitPattern: code)) }
        return CursesTerminal.characterKey(code)
    }

    /// Maps a curses function-key code.
    public static func functionKey(_ code: Int32) -> InputKey? {
        switch code {
        case cw_key_resize(): return .resize
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_SLEFT: return .shiftLeft
        case KEY_SRIGHT: return .shiftRight
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_ENTER: return .enter
        case KEY_BTAB: return .backTab
        default:
            for n in 1...12 where code == cw_key_f(Int32(n)) { return .function(n) }
            return nil
        }
    }

    /// Maps a character read by `wget_wch` (control characters to keys).
    public static func characterKey(_ code: UInt32) -> InputKey? {
        switch code {
        case 3: return .ctrlC
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        default:
            guard let scalar = Unicode.Scalar(code) else { return nil }
            return .char(Character(scalar))
        }
    }

    // MARK: - Exit hook

    private static weak var current: CursesTerminal?
    private static var exitHookInstalled = false

    private static func registerExitHook(_ terminal: CursesTerminal) {
        current = terminal
        guard !exitHookInstalled else { return }
        exitHookInstalled = true
        atexit { CursesTerminal.current?.restore() }
    }
}
