import CachewatchCore

extension DashboardRenderer {
    // MARK: - Families pane

    static func familyColumns(sort: SortKey, showMemory: Bool, glyphs: Glyphs) -> [TableColumn] {
        let mark = glyphs.isASCII ? "v" : "▼"
        func title(_ text: String, _ key: SortKey) -> String { sort == key || (key == .keys && sort == .share) ? text + mark : text }
        var columns = [
            TableColumn(title("FAMILY", .pattern), width: 28, flexible: true, priority: 100),
            TableColumn(title("KEYS", .keys), width: 6, alignRight: true, priority: 90),
            TableColumn("SHARE", width: 6, alignRight: true, priority: 50),
            TableColumn(title("NO-TTL", .noTTL), width: 7, alignRight: true, priority: 80),
            TableColumn(title("P50", .ttlP50), width: 5, alignRight: true, priority: 70),
            TableColumn("P90", width: 5, alignRight: true, priority: 45),
            TableColumn("BANDS", width: 7, priority: 60),
        ]
        if showMemory { columns.append(TableColumn(title("MEM", .memory), width: 6, alignRight: true, priority: 35)) }
        columns.append(TableColumn("TYPE", width: 6, priority: 20))
        columns.append(TableColumn("MAX", width: 5, alignRight: true, priority: 10))
        columns.append(TableColumn("", width: 1, priority: 95))
        return columns
    }

    /// The 7-band mini chart of a family and a role per band (none band warns when it holds keys).
    static func bandsCell(_ family: FamilyReport, glyphs: Glyphs) -> TableCell {
        let bands = family.ttlBands.count == 7 ? family.ttlBands : Array(repeating: 0, count: 7)
        let levels = Sparkline.levels(bands.map(Double.init))
        var text = ""
        var roles: [StyleRole] = []
        for (i, level) in levels.enumerated() {
            text += level == 0 ? glyphs.sparkLevels[1] : glyphs.sparkLevels[level]
            roles.append(level == 0 ? .barEmpty : (i == 6 ? .warn : .bar))
        }
        return TableCell(text, .bar, columnRoles: roles)
    }

    static func worstFinding(_ findings: [Finding]) -> AlertLevel? { findings.map(\.severity).max() }

    static func familyRow(_ family: FamilyReport, model: DashboardModel, glyphs: Glyphs, showMemory: Bool) -> [TableCell] {
        let other = family.pattern == "(other)"
        let dominantType = family.types.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? "-"
        var row = [
            TableCell(safe(family.pattern), other ? .muted : .normal),
            TableCell(Humanize.count(family.keys), .value),
            TableCell(Humanize.share(family.share), .muted),
            TableCell(family.noTTL > 0 ? Humanize.count(family.noTTL) : "0", family.noTTL > 0 ? .warn : .muted),
            TableCell(Humanize.shortDuration(family.ttlP50Seconds), family.ttlP50Seconds == nil ? .muted : .normal),
            TableCell(Humanize.shortDuration(family.ttlP90Seconds), family.ttlP90Seconds == nil ? .muted : .normal),
            bandsCell(family, glyphs: glyphs),
        ]
        if showMemory { row.append(TableCell(family.memoryBytes.map { Humanize.bytes(Double($0)) } ?? "-", family.memoryBytes == nil ? .muted : .normal)) }
        row.append(TableCell(safe(dominantType), .muted))
        row.append(TableCell(Humanize.shortDuration(family.ttlMaxSeconds), .muted))
        switch worstFinding(model.findings(for: family.pattern)) {
        case .crit?: row.append(TableCell("!", .crit))
        case .warn?: row.append(TableCell("!", .warn))
        case .ok?: row.append(TableCell("i", .accent))
        case nil: row.append(TableCell(" "))
        }
        return row
    }

    static func familiesTitle(model: DashboardModel, state: DashboardState, visible: Int, glyphs: Glyphs) -> [Panel.TitlePart] {
        let sep = " \(glyphs.separator) "
        var parts: [Panel.TitlePart] = [.init("Families", .title)]
        if let census = model.census {
            let total = census.families.count
            parts.append(.init(" " + (visible == total ? "\(total)" : "\(visible)/\(total)"), .value))
        }
        if let node = state.nodeFilter { parts.append(.init(sep + "node " + safe(node), .accent)) }
        let flagged = model.findings.filter { $0.severity >= .warn }.count
        if flagged > 0 { parts.append(.init(sep + "\(flagged) finding" + (flagged == 1 ? "" : "s"), .warn)) }
        if let progress = model.censusProgress, progress.running {
            var text = sep + (progress.full ? "full census " : "census ")
            if progress.dbsizeKeys > 0 {
                text += Humanize.percent(min(1, Double(progress.scannedKeys) / Double(progress.dbsizeKeys)), decimals: 0) + " "
                text += Humanize.count(progress.scannedKeys) + "/" + Humanize.count(progress.dbsizeKeys)
            } else {
                text += Humanize.count(progress.scannedKeys)
            }
            text += " " + Humanize.count(progress.keysPerSecond) + "/s"
            if progress.yielding { text += " yielding to load" }
            if let eta = progress.etaSeconds { text += " ETA " + Humanize.duration(eta) }
            parts.append(.init(text, .accent))
        } else if let census = model.census {
            var text = census.complete ? "complete, \(Humanize.count(census.estimatedKeys)) keys"
                : "sampled \(Humanize.count(census.scannedKeys)) of ~\(Humanize.count(census.estimatedKeys))"
            if census.complete, let age = model.censusProgress?.completedSecondsAgo {
                // Between passes: how old the picture is (its TTLs are aged by the clock) and when it is read again.
                text = "complete \(Humanize.uptime(age)) ago"
                if let next = model.censusProgress?.nextPassInSeconds { text += sep + "next in " + Humanize.uptime(next) }
                text += sep + Humanize.count(census.estimatedKeys) + " keys"
            }
            parts.append(.init(sep + text, .muted))
        }
        if state.sort != .keys && state.sort != .share { parts.append(.init(sep + "sort " + state.sort.rawValue, .muted)) }
        if !state.filter.isEmpty || state.editingFilter { parts.append(.init(sep + "/" + safe(state.filter), .accent)) }
        return parts
    }

    static func renderFamilies(into grid: inout Grid, model: DashboardModel, state: DashboardState, rect: Rect, glyphs: Glyphs) {
        guard rect.height >= 3 else { return }
        let families = model.visibleFamilies(state)
        let inner = Panel.draw(into: &grid, rect: rect, title: familiesTitle(model: model, state: state, visible: families.count, glyphs: glyphs),
                               focused: state.focus == .families, glyphs: glyphs)
        guard !inner.isEmpty else { return }
        let content = Rect(x: inner.x + 1, y: inner.y, width: inner.width - 2, height: inner.height)
        let showMemory = families.contains { $0.memoryBytes != nil }
        let columns = familyColumns(sort: state.sort, showMemory: showMemory, glyphs: glyphs)
        let rows = families.map { familyRow($0, model: model, glyphs: glyphs, showMemory: showMemory) }
        let selected = families.isEmpty ? nil : min(max(0, state.selectedFamily), families.count - 1)
        Table.draw(into: &grid, rect: content, columns: columns, rows: rows, selected: selected,
                   scrollOffset: state.familiesScroll, glyphs: glyphs, highlightSelection: state.focus == .families)
        if families.isEmpty, content.height >= 2 {
            let message: String
            if model.census == nil {
                message = model.censusProgress?.running == true ? "waiting for the first SCAN page\(glyphs.ellipsis)" : "no census yet (F starts a full census)"
            } else if !state.filter.isEmpty {
                message = "no family matches /\(safe(state.filter))"
            } else {
                message = "the database is empty"
            }
            grid.put(message, at: content.x, content.y + 1, maxWidth: content.width, role: .muted, ellipsis: glyphs.ellipsis)
        }
        if let notes = model.census?.notes, !notes.isEmpty, content.height >= rows.count + 3 {
            grid.put(safe(notes.joined(separator: " ")), at: content.x, content.maxY - 1, maxWidth: content.width, role: .muted,
                     ellipsis: glyphs.ellipsis)
        }
    }
}
