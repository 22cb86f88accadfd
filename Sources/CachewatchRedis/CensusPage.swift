import CachewatchCore
import Foundation

/// One page's pipeline, built from the keys of the previous SCAN reply.
struct PageBatch {
    var keys: [[UInt8]]
    /// Starts with `CLIENT NO-TOUCH ON` (the first pipeline on its connection).
    var noTouch: Bool
    var type: Bool
    var memory: Bool
    var scan: Bool
    /// Value probes, sent after the lookups.
    var probes: [ValueProbe] = []
    /// Keys of the previous page that are not strings, asked `MEMORY USAGE key SAMPLES 0` after the value probes.
    var exactMemory: [ExactMemoryLookup] = []
    var commands: [RedisCommand] = []
    /// The replies read before the lookups: NO-TOUCH and SCAN.
    var headCount: Int { (noTouch ? 1 : 0) + (scan ? 1 : 0) }
    /// Commands that look a key up (TYPE, PTTL, MEMORY USAGE, value probes): everything but the head.
    var lookupCount: Int { commands.count - headCount }
}

/// One step of the bounded look at a string value.
struct ValueProbe {
    enum Stage: Equatable {
        /// `STRLEN key`.
        case length
        /// `GETRANGE key 0 12` of a value `STRLEN` said is this many (1…13) bytes long.
        case bytes(Int)
        /// `PTTL key` after `STRLEN` said 0: an empty string, or a key that vanished?
        case exists

        var commandName: String {
            switch self {
            case .length: return "strlen"
            case .bytes: return "getrange"
            case .exists: return "pttl"
            }
        }
    }
    var key: [UInt8]
    var ticket: ValueProbeTicket
    var stage: Stage
}

/// A key that is not a string, held back from the count until `MEMORY USAGE key SAMPLES 0` (sent with the next page)
/// gives its exact size: the per-key `MEMORY USAGE key` uses Redis's default of 5 sampled elements, exact for strings
/// and compact encodings but an estimate for a big hash, list, set, sorted set or stream. Its two extra arguments cost
/// Redis 3–9 % of a memory census on 1 M strings (`farm-bench`, 2026-11-30), so only these keys pay for them.
struct ExactMemoryLookup {
    var key: [UInt8]
    /// TYPE, PTTL and the sampled MEMORY USAGE (kept if the exact one fails or the key is gone).
    var observation: KeyObservation
    /// When the PTTL was read (TTLs count from then).
    var observedAt: Date
}

/// What TYPE, PTTL and MEMORY USAGE said about one key.
struct KeyObservation {
    var type: String?
    var pttlMilliseconds: Int64
    var memoryBytes: Int?
}

extension PageBatch {
    /// One page's pipeline: `[CLIENT NO-TOUCH ON] [SCAN cursor COUNT n]`, then per key `[TYPE] PTTL [MEMORY USAGE key]`,
    /// then the value probes (`STRLEN`, `GETRANGE key 0 12` or `PTTL`), then `MEMORY USAGE key SAMPLES 0` for the
    /// `exactMemory` keys. No SCAN once the cursor is back at 0.
    init(keys: [[UInt8]], probes: [ValueProbe], exactMemory: [ExactMemoryLookup] = [], noTouch: Bool, type: Bool, memory: Bool,
         scanCursor: [UInt8]?, scanCount: Int) {
        self.init(keys: keys, noTouch: noTouch, type: type, memory: memory, scan: scanCursor != nil)
        self.probes = probes
        self.exactMemory = exactMemory
        commands.reserveCapacity(keys.count * 3 + probes.count + exactMemory.count + 2)
        if noTouch { commands.append(.clientNoTouch(true)) }
        if let scanCursor { commands.append(.scan(cursor: scanCursor, count: scanCount)) }
        for key in keys {
            if type { commands.append(.type(key: key)) }
            commands.append(.pttl(key: key))
            if memory { commands.append(.memoryUsageWithDefaultSamples(key: key)) }
        }
        for probe in probes {
            switch probe.stage {
            case .length: commands.append(.strlen(key: probe.key))
            case .bytes: commands.append(.getrange(key: probe.key, start: 0, end: ValueClass.maximumProbedBytes - 1))
            case .exists: commands.append(.pttl(key: probe.key))
            }
        }
        for lookup in exactMemory { commands.append(.memoryUsage(key: lookup.key, samples: 0)) }
    }

    /// Decodes the page's lookup replies (everything after the head) into one observation per key, counting the
    /// keyspace hits and misses they caused. A refused TYPE or MEMORY USAGE turns that feature off (with a note); a
    /// PTTL error is thrown (the census cannot run without it). `probeRepliesStart` is where the value probes begin.
    func decodeLookups(_ replies: [RedisReply], features: inout ServerFeatures, client: RedisClient) throws
        -> (observations: [KeyObservation], hits: Int, misses: Int, probeRepliesStart: Int) {
        var hits = 0
        var misses = 0
        var index = 0
        var observations: [KeyObservation] = []
        observations.reserveCapacity(keys.count)
        /// The next reply (a missing one reads as a protocol error, never an out-of-range index).
        func next() throws -> RedisReply {
            guard index < replies.count else {
                throw RedisError.protocolError(address: client.endpoint.displayAddress, detail: "fewer replies than commands")
            }
            defer { index += 1 }
            return replies[index]
        }
        for _ in keys {
            var typeName: String?
            if type {
                let reply = try next()
                if let text = reply.errorText {
                    features.disable(.type, because: client.mappedError(text, command: "type"))
                } else if let value = reply.stringValue, value != "none" {
                    typeName = value
                    hits += 1
                } else {
                    misses += 1
                }
            }
            let pttlReply = try next()
            guard case .integer(let pttl) = pttlReply else {
                throw client.mappedError(pttlReply.errorText ?? "ERR unexpected PTTL reply", command: "pttl")
            }
            if pttl == -2 { misses += 1 } else { hits += 1 }
            var memoryBytes: Int?
            if memory {
                let reply = try next()
                if let text = reply.errorText {
                    features.disable(.memory, because: client.mappedError(text, command: "memory|usage"))
                } else if let bytes = reply.integerValue {
                    memoryBytes = Int(clamping: bytes)
                    hits += 1
                } else {
                    misses += 1
                }
            }
            observations.append(KeyObservation(type: typeName, pttlMilliseconds: pttl, memoryBytes: memoryBytes))
        }
        return (observations, hits, misses, index)
    }
}
