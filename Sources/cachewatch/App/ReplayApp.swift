import CachewatchCore
import CachewatchRecording
import CachewatchTerminal
import CachewatchUI
import Foundation

/// `cachewatch replay FILE`: the dashboard drawn from a recording, with a time cursor.
///
/// space pause/resume · ← → seek 10 s (shift: 1 min) · + - speed 1×–60× · n N next/previous event ·
/// g go to a time · everything else as in the live dashboard (panes, filter, detail, help) · q quit.
final class ReplayApp {
    private let timeline: ReplayTimeline
    private let terminal: CursesTerminal
    private var cursor: ReplayCursor
    private var state = DashboardState()
    private var notice: (text: String, until: Date)?
    /// Text typed after `g` (nil when not asking).
    private var goTo: String?
    /// The marker `n`/`N` last moved to (events of the same second are stepped through one by one).
    private var currentMarker: Int?

    init(timeline: ReplayTimeline, terminal: CursesTerminal) {
        self.timeline = timeline
        self.terminal = terminal
        cursor = ReplayCursor(start: timeline.start ?? Date(), end: timeline.end ?? Date())
    }

    /// Loads the recording, opens the screen and replays until `q` or a stop signal.
    static func run(path: String, display: DisplayArguments) throws {
        StopRequest.installHandlers()
        guard isatty(STDOUT_FILENO) == 1 else {
            throw CLIError("The replay dashboard needs a terminal on stdout; use `cachewatch replay FILE --json` for scripts.")
        }
        let (timeline, problem) = try load(path: path)
        guard !timeline.frames.isEmpty else {
            throw CLIError("The recording \(DisplayEscaper.escape(path)) holds no document to replay.")
        }
        let terminal = try display.makeTerminal()
        let app = ReplayApp(timeline: timeline, terminal: terminal)
        if let problem { app.show(problem, seconds: 8) }
        do {
            try app.loop()
        } catch let error as TerminalError {
            throw CLIError(error.description)
        }
        if let problem { FileHandle.standardError.write(Data("cachewatch: \(problem)\n".utf8)) }
    }

    /// Reads every document of the recording into a timeline; the problem sentence when damaged.
    static func load(path: String) throws -> (ReplayTimeline, String?) {
        var timeline: ReplayTimeline?
        do {
            let summary = try RecordingReader.read(path: path, onHeader: { header in
                timeline = ReplayTimeline(target: header.target)
            }, each: { recorded in
                timeline?.append(recorded)
                return true
            })
            guard let timeline else { throw CLIError("The recording \(DisplayEscaper.escape(path)) has no header.") }
            timeline.finishLoading()
            var problem = summary.problem
            if timeline.truncated, problem == nil {
                problem = "The recording is longer than \(ReplayTimeline.maximumFrames) entries; the replay stops there."
            }
            return (timeline, problem)
        } catch let error as RecordingError {
            throw CLIError(error.description)
        }
    }

    private func loop() throws {
        try terminal.start()
        defer { terminal.restore() }
        var last = Date()
        while !StopRequest.isRequested {
            let now = Date()
            cursor.advance(by: now.timeIntervalSince(last))
            last = now
            let size = terminal.size()
            terminal.paint(ReplayScreen.render(timeline: timeline, cursor: cursor, state: state, notice: currentNotice(now: now),
                                               prompt: goTo, size: size, glyphs: terminal.glyphs, timeZone: ReplayScreen.utc))
            guard let key = terminal.readKey(timeoutMilliseconds: 100) else { continue }
            if handle(key) == false { break }
        }
    }

    /// Handles a key; false means quit.
    private func handle(_ key: InputKey) -> Bool {
        if goTo != nil { handleGoTo(key); return true }
        // While the nodes pane is open its keys are the live dashboard's (`n` the node, `N`/`o`/esc close it).
        let replayKeys = !state.editingFilter && !state.helpOpen && !state.nodesOpen
        if replayKeys {
            switch key {
            case .char("q"), .ctrlC: return false
            case .char(" "), .char("p"): cursor.playing.toggle(); return true
            case .left: seek(by: -10); return true
            case .right: seek(by: 10); return true
            case .shiftLeft, .char("H"): seek(by: -60); return true
            case .shiftRight, .char("L"): seek(by: 60); return true
            case .char("+"), .char("="): cursor.changeSpeed(up: true); return true
            case .char("-"), .char("_"): cursor.changeSpeed(up: false); return true
            case .char("n"), .char("N"):
                let previous = key == .char("N")
                if let index = timeline.markerIndex(after: cursor.time, previous: previous, current: currentMarker,
                                                    window: max(1, 2 * cursor.speed)) {
                    let marker = timeline.markers[index]
                    currentMarker = index
                    cursor.jump(to: marker.at)
                    show("\(marker.kind): \(marker.message)", seconds: 5)
                } else {
                    show(previous ? "no earlier event" : "no later event", seconds: 3)
                }
                return true
            case .char("g"): goTo = ""; return true
            default: break
            }
        }
        let model = timeline.model(at: timeline.frameIndex(at: cursor.time) ?? 0, notice: nil, timeZone: ReplayScreen.utc)
            ?? DashboardModel(header: HeaderInfo(address: timeline.address), now: cursor.time)
        let (next, action) = DashboardController.handle(key: key, state: state, model: model, size: terminal.size())
        state = next
        switch action {
        case .quit?: return false
        case .redraw?: terminal.invalidate()
        case .fullCensus?, .resetCounters?, .sampleMemory?: show("not available in a replay", seconds: 3)
        case .addMarker?: show("markers are added while recording, not in a replay", seconds: 3)
        case .pauseChanged?, nil: break
        }
        state.paused = false   // `p` is play/pause here (handled above); the frame shows the recorded time
        return true
    }

    private func handleGoTo(_ key: InputKey) {
        switch key {
        case .escape, .ctrlC: goTo = nil
        case .backspace: if goTo?.isEmpty == false { goTo?.removeLast() }
        case .enter:
            let text = goTo ?? ""
            goTo = nil
            if let time = RecordingTime.parse(text, recordingStart: cursor.start) {
                cursor.jump(to: time)
                currentMarker = nil
            } else {
                show("not a time: use HH:MM[:SS] (UTC) or ISO-8601", seconds: 4)
            }
        case let .char(character) where (goTo?.count ?? 0) < 40 && (character.isASCII && !character.isWhitespace):
            goTo?.append(character)
        default: break
        }
    }

    /// Seeks by `seconds` of recording time; `n`/`N` go by time from the new position.
    private func seek(by seconds: Double) {
        cursor.seek(by: seconds)
        currentMarker = nil
    }

    private func show(_ text: String, seconds: Double) {
        notice = (text, Date().addingTimeInterval(seconds))
    }

    private func currentNotice(now: Date) -> String? {
        guard let notice, notice.until > now else { return nil }
        return notice.text
    }
}
