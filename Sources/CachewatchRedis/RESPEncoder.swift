/// Writes commands in the RESP wire format (`*N\r\n` then `$len\r\narg\r\n` per argument) into one reusable buffer,
/// so a whole census pipeline goes to hiredis in a single `redisAppendFormattedCommand` instead of one
/// `redisAppendCommandArgv` (with its per-argument `sdscatfmt`) per command. The buffer is raw memory written with
/// plain stores (an `[UInt8]` paid a uniqueness check per appended byte); it grows by doubling and is kept.
final class RESPEncoder {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Bytes encoded since the last `reset()`.
    private(set) var count = 0

    init(capacity: Int = 4096) {
        self.capacity = max(64, capacity)
        storage = UnsafeMutablePointer<UInt8>.allocate(capacity: self.capacity)
    }

    deinit { storage.deallocate() }

    /// A copy of the encoded bytes (tests).
    var bytes: [UInt8] { Array(UnsafeBufferPointer(start: storage, count: count)) }

    /// Runs `body` on the encoded bytes (valid only inside `body`).
    func withBytes<T>(_ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        try body(UnsafeBufferPointer(start: storage, count: count))
    }

    /// Empties the buffer, keeping its capacity.
    func reset() { count = 0 }

    /// Appends one command's argv.
    func append(_ arguments: [[UInt8]]) {
        // Upper bound: "*" + 20 digits + CRLF, and per argument "$" + 20 digits + CRLF + bytes + CRLF.
        var needed = 23
        for argument in arguments { needed += 25 + argument.count }
        reserve(needed)
        var at = count
        storage[at] = 0x2A   // *
        at = writeDecimal(arguments.count, at: at + 1)
        storage[at] = 0x0D
        storage[at + 1] = 0x0A
        at += 2
        for argument in arguments {
            storage[at] = 0x24   // $
            at = writeDecimal(argument.count, at: at + 1)
            storage[at] = 0x0D
            storage[at + 1] = 0x0A
            at += 2
            argument.withUnsafeBufferPointer { source in
                if let base = source.baseAddress, source.count > 0 { (storage + at).update(from: base, count: source.count) }
            }
            at += argument.count
            storage[at] = 0x0D
            storage[at + 1] = 0x0A
            at += 2
        }
        count = at
    }

    /// Room for `extra` more bytes (doubling).
    private func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        var grown = capacity
        while grown < count + extra { grown *= 2 }
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        larger.update(from: storage, count: count)
        storage.deallocate()
        storage = larger
        capacity = grown
    }

    /// Writes a non-negative count in decimal ASCII at `at`; returns the index after it.
    private func writeDecimal(_ value: Int, at: Int) -> Int {
        var rest = UInt(max(0, value))
        var digits = 1
        var power: UInt = 10
        while rest >= power, digits < 20 {
            digits += 1
            if power > UInt.max / 10 { break }
            power *= 10
        }
        var index = at + digits - 1
        repeat {
            storage[index] = 0x30 &+ UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
            index -= 1
        } while rest > 0
        return at + digits
    }
}
