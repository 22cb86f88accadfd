/// The pages of a census pass on their way through a `PipelineWindow`: which commands to write next, which page
/// the next replies belong to, and which page is read to the end. It holds no connection and sends nothing (the
/// runner does the I/O), so the windowing is tested on its own.
///
/// Pages go out in order, in writes of at most `window.batchCommands` (a write may end one page and start the
/// next), and at most `window.maxCommandsInFlight` commands are written and not read back. Replies come back in the order the
/// commands were written, so each read takes the oldest write's replies; a page's first replies are its head
/// (`CLIENT NO-TOUCH`, `SCAN`), the rest its lookups.
struct CensusPageStream {
    /// One page and how far it got.
    struct Page {
        var batch: PageBatch
        /// Commands written so far (the first `written` of `batch.commands`).
        var written = 0
        /// The replies to the head (NO-TOUCH, SCAN), then to the lookups.
        var head: [RedisReply] = []
        var lookups: [RedisReply] = []
        /// The runner has looked at the head (the SCAN reply's keys joined the walk).
        var headTaken = false
        /// A SCAN refusal to wait out (`LOADING`, `MASTERDOWN`) once the page's lookups are counted.
        var scanError: RedisError?

        init(_ batch: PageBatch) {
            self.batch = batch
            lookups.reserveCapacity(batch.lookupCount)
        }

        var read: Int { head.count + lookups.count }
        var isWritten: Bool { written >= batch.commands.count }
        var isRead: Bool { read >= batch.commands.count }
        var headIsRead: Bool { head.count >= batch.headCount }
    }

    /// Oldest first.
    private(set) var pages: [Page] = []
    /// Sizes of the writes whose replies are not read yet, oldest first.
    private var unreadWrites: [Int] = []
    private(set) var window: PipelineWindow

    init(window: PipelineWindow) {
        self.window = window
    }

    var isEmpty: Bool { pages.isEmpty }
    /// Commands written whose replies are not read yet.
    var hasUnread: Bool { window.inFlight > 0 }

    /// Changes the window's limits from now on (what is in flight stays booked).
    mutating func setLimits(_ limits: PipelineWindow) {
        if limits.batchCommands != window.batchCommands || limits.maxCommandsInFlight != window.maxCommandsInFlight {
            window = window.resized(like: limits)
        }
    }

    /// Queues a page after the others.
    mutating func append(_ batch: PageBatch) { pages.append(Page(batch)) }

    /// One page's share of a write: which of its commands.
    struct Segment: Equatable {
        var page: Int
        var commands: Range<Int>
    }

    /// The next write the window allows: up to a batch of the commands waiting, in page order (a write may end one
    /// page and start the next, so writes stay whole batches). Empty: nothing is waiting, or the window is full and
    /// replies must be read first.
    func nextWrite() -> [Segment] {
        guard let first = pages.firstIndex(where: { !$0.isWritten }) else { return [] }
        if window.isolatesHeads { return isolatedWrite(of: first) }
        let waiting = pages[first...].reduce(0) { $0 + $1.batch.commands.count - $1.written }
        var left = window.writable(available: waiting)
        var segments: [Segment] = []
        var index = first
        while left > 0, index < pages.count {
            let page = pages[index]
            let count = min(left, page.batch.commands.count - page.written)
            if count > 0 { segments.append(Segment(page: index, commands: page.written..<(page.written + count))) }
            left -= count
            index += 1
        }
        return segments
    }

    /// `PipelineWindow.isolatesHeads`: once nothing is in flight, page `index`'s head alone, or else its next batch of
    /// lookups (never a part of another page).
    private func isolatedWrite(of index: Int) -> [Segment] {
        guard window.inFlight == 0 else { return [] }
        let page = pages[index]
        let headCount = page.batch.headCount
        let end = page.written < headCount ? headCount : min(page.batch.commands.count, page.written + window.batchCommands)
        guard end > page.written else { return [] }
        return [Segment(page: index, commands: page.written..<end)]
    }

    /// Books a write `nextWrite()` proposed.
    mutating func wrote(_ segments: [Segment]) {
        var total = 0
        for segment in segments where pages.indices.contains(segment.page) {
            pages[segment.page].written += segment.commands.count
            total += segment.commands.count
        }
        guard total > 0 else { return }
        unreadWrites.append(total)
        window.wrote(total)
    }

    /// How many replies the next read takes (the oldest unread write's; nil: nothing is in flight).
    var nextReadCount: Int? { unreadWrites.first }

    /// Takes the replies of the oldest unread write (`nextReadCount` of them) onto the pages they answer, in order.
    mutating func took(_ replies: [RedisReply]) {
        guard !unreadWrites.isEmpty else { return }
        unreadWrites.removeFirst()
        window.read(replies.count)
        var rest = replies[...]
        var index = 0
        while !rest.isEmpty, index < pages.count {
            let due = pages[index].written - pages[index].read
            if due > 0 {
                var share = rest.prefix(due)
                rest = rest.dropFirst(share.count)
                let missingHead = pages[index].batch.headCount - pages[index].head.count
                if missingHead > 0 {
                    pages[index].head.append(contentsOf: share.prefix(missingHead))
                    share = share.dropFirst(missingHead)
                }
                pages[index].lookups.append(contentsOf: share)
            }
            index += 1
        }
    }

    /// The first page whose head is read and not taken yet (its index), marking it taken.
    mutating func takeReadyHead() -> Int? {
        guard let index = pages.firstIndex(where: { !$0.headTaken && $0.headIsRead }) else { return nil }
        pages[index].headTaken = true
        return index
    }

    /// Notes a SCAN refusal on a page whose head was taken.
    mutating func setScanError(_ error: RedisError, page index: Int) {
        guard pages.indices.contains(index) else { return }
        pages[index].scanError = error
    }

    /// Removes and returns the oldest page once it is read to the end and its head was taken.
    mutating func popCompleted() -> Page? {
        guard let first = pages.first, first.isRead, first.headTaken else { return nil }
        return pages.removeFirst()
    }

    /// Forgets every page and everything in flight (the connection and its unread replies are gone).
    mutating func reset() {
        pages.removeAll()
        unreadWrites.removeAll()
        window.reset()
    }
}
