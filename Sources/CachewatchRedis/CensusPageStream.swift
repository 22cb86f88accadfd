/// The pages of a census pass on their way through a `PipelineWindow`: which commands to write next, which page
/// the next replies belong to, and which page is read to the end. It holds no connection and sends nothing (the
/// runner does the I/O), so the windowing is tested on its own.
///
/// Pages go out in order, each in writes of at most `window.batchCommands` (a write never spans two pages), and at
/// most `window.maxCommandsInFlight` commands are written and not read back. Replies come back in the order the
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

    /// Queues a page after the others.
    mutating func append(_ batch: PageBatch) { pages.append(Page(batch)) }

    /// The next write the window allows: the page (an index into `pages`) and which of its commands (nil: nothing
    /// is waiting, or the window is full and replies must be read first).
    func nextWrite() -> (page: Int, commands: Range<Int>)? {
        guard let index = pages.firstIndex(where: { !$0.isWritten }) else { return nil }
        let page = pages[index]
        let count = window.writable(available: page.batch.commands.count - page.written)
        guard count > 0 else { return nil }
        return (index, page.written..<(page.written + count))
    }

    /// Books a write `nextWrite()` proposed.
    mutating func wrote(page index: Int, count: Int) {
        guard pages.indices.contains(index), count > 0 else { return }
        pages[index].written += count
        unreadWrites.append(count)
        window.wrote(count)
    }

    /// How many replies the next read takes (the oldest unread write's; nil: nothing is in flight).
    var nextReadCount: Int? { unreadWrites.first }

    /// Takes the replies of the oldest unread write (`nextReadCount` of them); returns the index of the page they
    /// belong to. Extra or missing replies are the caller's protocol error (it asked for exactly that many).
    @discardableResult
    mutating func took(_ replies: [RedisReply]) -> Int? {
        guard !unreadWrites.isEmpty, let index = pages.firstIndex(where: { !$0.isRead && $0.read < $0.written }) else { return nil }
        unreadWrites.removeFirst()
        window.read(replies.count)
        var rest = replies[...]
        let missingHead = pages[index].batch.headCount - pages[index].head.count
        if missingHead > 0 {
            pages[index].head.append(contentsOf: rest.prefix(missingHead))
            rest = rest.dropFirst(missingHead)
        }
        pages[index].lookups.append(contentsOf: rest)
        return index
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
