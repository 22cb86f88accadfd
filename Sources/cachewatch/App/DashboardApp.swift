import CachewatchCore
import CachewatchTerminal
import CachewatchUI
import Foundation

/// The dashboard's event loop: the only thread that touches curses.
///
/// Each turn it builds a model from the workers' latest snapshots (unless paused), renders it into a
/// grid, paints the cells that changed, and waits up to 250 ms for a key. SIGINT/SIGTERM/SIGHUP only
/// raise a flag; the loop sees it, stops the workers and restores the terminal.
final class DashboardApp {
    private let session: MonitoringSession
    private let terminal: CursesTerminal
    private let bell: Bool
    /// The header's colours follow the config's `[findings]` thresholds, so the bars and the findings agree.
    private let thresholds: Thresholds
    private var state = DashboardState()
    private var notice: (text: String, until: Date)?
    private var lastLevel: AlertLevel = .ok
    /// Writes each interval's document when the dashboard was opened with --record.
    var recorder: SessionRecorder?
    /// Why the recording stopped (reported once the screen is restored).
    private(set) var recordingFailure: Error?

    init(session: MonitoringSession, terminal: CursesTerminal, bell: Bool) {
        self.session = session
        self.terminal = terminal
        self.bell = bell
        let configured = session.findingThresholds
        thresholds = Thresholds(memoryWarnFraction: configured.memoryWarnFraction, memoryCritFraction: configured.memoryCritFraction,
                                hitRatioWarn: configured.hitRatioWarn, hitRatioCrit: configured.hitRatioCrit,
                                appScanWarnPerSecond: configured.scanPerSecond)
    }

    /// Runs until `q`, a stop signal, or `until` (when given); the terminal is restored on every path.
    func run(until deadline: Date? = nil) throws {
        try terminal.start()
        defer { terminal.restore() }
        var model = buildModel(now: Date())
        while !StopRequest.isRequested {
            let now = Date()
            if let deadline, now >= deadline { break }
            if !state.paused { model = buildModel(now: now) }
            ringBellOnCritical(model)
            let size = terminal.size()
            terminal.paint(DashboardRenderer.render(model: model, state: state, size: size, glyphs: terminal.glyphs))
            session.maintain()
            recordIfDue(now: now)
            guard let key = terminal.readKey(timeoutMilliseconds: 250) else { continue }
            let (next, action) = DashboardController.handle(key: key, state: state, model: model, size: terminal.size())
            state = next
            if let action, perform(action) == false { break }
        }
    }

    // MARK: - Actions

    /// Carries out an action; false means quit.
    private func perform(_ action: Action) -> Bool {
        switch action {
        case .quit:
            return false
        case .fullCensus:
            session.startFullCensus()
            show("full census started")
        case .resetCounters:
            session.store.resetCounters()
            show("rates and histories reset")
        case .sampleMemory:
            session.enableMemorySampling()
            show(session.product == "redis" ? "sampling MEMORY USAGE from the next census pass" : "item sizes always come with memcached's census")
        case .pauseChanged(let paused):
            show(paused ? "paused: display frozen, collectors keep running" : "resumed")
        case .redraw:
            terminal.invalidate()
        case .addMarker(let note):
            session.store.mark(note: note)
            show("marker added to the timeline (e shows it)")
        }
        return true
    }

    private func recordIfDue(now: Date) {
        guard let recorder else { return }
        do {
            try recorder.recordIfDue(session: session, now: now)
        } catch {
            recordingFailure = error
            self.recorder = nil
            show("recording stopped (see the message after quitting)")
        }
    }

    private func show(_ text: String) {
        notice = (text, Date().addingTimeInterval(3))
    }

    private func buildModel(now: Date) -> DashboardModel {
        if let current = notice, current.until < now { notice = nil }
        return DashboardModelBuilder.model(session: session, thresholds: thresholds, notice: notice?.text, now: now)
    }

    private func ringBellOnCritical(_ model: DashboardModel) {
        let level = model.logs?.failOpen.state ?? .ok
        if bell && level == .crit && lastLevel != .crit { terminal.bell() }
        lastLevel = level
    }
}
