/// The panes that take focus with tab / shift-tab.
public enum Pane: String, CaseIterable, Sendable {
    case families
    case failOpen
}

/// Family table sort orders, cycled with `s`.
public enum SortKey: String, CaseIterable, Sendable {
    case keys
    case share
    case noTTL = "no-ttl"
    case ttlP50 = "p50"
    case memory
    case pattern

    /// The next key in the cycle (`share` sorts like `keys`, so the cycle skips it).
    public var next: SortKey {
        switch self {
        case .keys, .share: return .noTTL
        case .noTTL: return .ttlP50
        case .ttlP50: return .memory
        case .memory: return .pattern
        case .pattern: return .keys
        }
    }
}

/// UI state the controller changes and the renderer reads (no data from Redis or logs).
public struct DashboardState: Equatable, Sendable {
    public var focus: Pane = .families
    /// Index of the selected row in `DashboardModel.visibleFamilies(_:)`.
    public var selectedFamily: Int = 0
    public var familiesScroll: Int = 0
    public var failOpenScroll: Int = 0
    public var detailScroll: Int = 0
    public var sort: SortKey = .keys
    public var filter: String = ""
    public var editingFilter: Bool = false
    /// The family whose detail view is open (nil when closed); kept by pattern so re-sorting does not move it.
    public var detailPattern: String?
    public var helpOpen: Bool = false
    /// The events pane (`e`) is shown over the dashboard.
    public var eventsOpen: Bool = false
    public var eventsScroll: Int = 0
    /// A marker note is being typed (`M`); `markerNote` holds it.
    public var editingMarker: Bool = false
    public var markerNote: String = ""
    /// Redis Cluster: the nodes pane (`N`) is shown over the dashboard.
    public var nodesOpen: Bool = false
    /// Redis Cluster: the families of this node only (`n` cycles through the primaries; nil: all).
    public var nodeFilter: String?
    /// Display frozen (`p`); the collectors keep running.
    public var paused: Bool = false

    public init() {}

    /// True while the family detail view is shown.
    public var detailOpen: Bool { detailPattern != nil }
}
