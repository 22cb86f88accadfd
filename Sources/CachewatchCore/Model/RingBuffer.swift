/// A fixed-capacity FIFO that overwrites its oldest element: bounded memory for sparkline histories.
public struct RingBuffer<Element>: Sendable where Element: Sendable {
    // MARK: - Storage

    private var storage: [Element] = []
    private var head = 0
    /// The most elements kept; older ones are dropped.
    public let capacity: Int

    /// A buffer that keeps at most `capacity` elements (at least 1).
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
        storage.reserveCapacity(self.capacity)
    }

    // MARK: - Access

    /// Number of elements held (≤ capacity).
    public var count: Int { storage.count }
    public var isEmpty: Bool { storage.isEmpty }

    /// Appends an element, dropping the oldest when full.
    public mutating func append(_ element: Element) {
        if storage.count < capacity {
            storage.append(element)
        } else {
            storage[head] = element
            head = (head + 1) % capacity
        }
    }

    /// The elements, oldest first.
    public var elements: [Element] {
        if storage.count < capacity || head == 0 { return storage }
        return Array(storage[head...]) + Array(storage[..<head])
    }

    /// The newest element.
    public var last: Element? {
        guard !storage.isEmpty else { return nil }
        return storage.count < capacity ? storage.last : storage[(head + capacity - 1) % capacity]
    }

    /// Forgets every element (keeps the capacity).
    public mutating func removeAll() {
        storage.removeAll(keepingCapacity: true)
        head = 0
    }
}
