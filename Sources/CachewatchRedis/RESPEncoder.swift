/// Writes commands in the RESP wire format (`*N\r\n` then `$len\r\narg\r\n` per argument) into one reusable buffer,
/// so a whole census pipeline goes to hiredis in a single `redisAppendFormattedCommand` instead of one
/// `redisAppendCommandArgv` (with its per-argument `sdscatfmt`) per command.
struct RESPEncoder {
    /// The encoded bytes since the last `reset()`.
    private(set) var bytes: [UInt8] = []

    /// Empties the buffer, keeping its capacity.
    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
    }

    /// Appends one command's argv.
    /// (No `reserveCapacity` here: reserving a little more per command would reallocate every time; the array's
    /// own doubling keeps appends amortised.)
    mutating func append(_ arguments: [[UInt8]]) {
        bytes.append(0x2A)   // *
        appendDecimal(arguments.count)
        bytes.append(0x0D)
        bytes.append(0x0A)
        for argument in arguments {
            bytes.append(0x24)   // $
            appendDecimal(argument.count)
            bytes.append(0x0D)
            bytes.append(0x0A)
            bytes.append(contentsOf: argument)
            bytes.append(0x0D)
            bytes.append(0x0A)
        }
    }

    /// Appends a non-negative count in decimal ASCII.
    private mutating func appendDecimal(_ value: Int) {
        if value < 10 {
            bytes.append(0x30 &+ UInt8(truncatingIfNeeded: max(0, value)))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                      UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = UInt(value)
        withUnsafeMutableBytes(of: &digits) { buffer in
            while rest > 0 {
                buffer[count] = 0x30 &+ UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
                count += 1
            }
            for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[index]) }
        }
    }
}
