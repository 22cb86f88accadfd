/// A key press, decoded by the terminal backend.
public enum InputKey: Equatable, Sendable {
    case char(Character)
    case enter
    case escape
    case tab
    case backTab
    case up
    case down
    case left
    case right
    /// Shift-← / shift-→ (replay: seek a minute).
    case shiftLeft
    case shiftRight
    case pageUp
    case pageDown
    case home
    case end
    case backspace
    case delete
    case function(Int)
    case resize
    case ctrlC
}

/// What the event loop must do after a key (everything else is UI state).
public enum Action: Equatable, Sendable {
    case quit
    /// Start a full census pass (`F`).
    case fullCensus
    /// Reset rates, fail-open counters and histories (`r`).
    case resetCounters
    /// Sample MEMORY USAGE for one family (`m` in the detail view).
    case sampleMemory(pattern: String)
    /// The display was paused or resumed (`p`).
    case pauseChanged(Bool)
    /// Repaint everything (after a resize or Ctrl-L).
    case redraw
    /// Put a marker with this note on the timeline (`M`, typed note, enter).
    case addMarker(note: String)
}
