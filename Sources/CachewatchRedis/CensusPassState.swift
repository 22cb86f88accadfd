import CachewatchCore
import Foundation

/// One census pass's walk: the SCAN cursor, the keys waiting for their lookups, the value probes, what was counted.
/// The runner's pass loop drives it page by page; it holds no connection and sends nothing itself.
struct CensusPassState {
    var accumulator: CensusAccumulator
    /// Keys already taken this pass (SCAN may return a key twice).
    private var seen = KeyFingerprintSet()
    private(set) var cursor: [UInt8] = Array("0".utf8)
    private(set) var scanDone = false
    /// Keys of the last SCAN reply not yet looked up.
    var pending: [[UInt8]] = []
    var valueProbes = ValueProbeQueue()
    /// Keys that are not strings, waiting for their exact `MEMORY USAGE` before they are counted (`ExactMemoryLookup`).
    private(set) var exactMemory: [ExactMemoryLookup] = []
    /// Keys looked up so far.
    var scanned = 0

    init(db: Int, maxFamilies: Int) {
        accumulator = CensusAccumulator(db: db, maxFamilies: maxFamilies)
    }

    /// True when nothing is left to send in this pass.
    func finished(probingValues: Bool) -> Bool {
        scanDone && pending.isEmpty && exactMemory.isEmpty && (valueProbes.pending.isEmpty || !probingValues)
    }

    /// Takes the pending keys (and the value probes, while values are looked at, and the exact memory lookups) into the
    /// next page's pipeline.
    mutating func nextBatch(noTouch: Bool, type: Bool, memory: Bool, probingValues: Bool, scanCount: Int) -> PageBatch {
        let batch = PageBatch(keys: pending, probes: probingValues ? valueProbes.pending : [], exactMemory: exactMemory,
                              noTouch: noTouch, type: type, memory: memory, scanCursor: scanDone ? nil : cursor, scanCount: scanCount)
        pending = []
        valueProbes.pending = []
        exactMemory = []
        return batch
    }

    /// Takes a SCAN reply: keys not seen yet this pass join `pending`, and the cursor moves on (0: the walk is done).
    mutating func absorbScan(_ reply: RedisReply, address: @autoclosure () -> String) throws {
        guard let parts = reply.arrayValue, parts.count == 2, let next = parts[0].bytesValue, let keys = parts[1].arrayValue else {
            throw RedisError.protocolError(address: address(), detail: "unexpected SCAN reply")
        }
        pending += seen.insertNew(keys.compactMap(\.bytesValue))
        cursor = next
        if next.count == 1, next[0] == UInt8(ascii: "0") { scanDone = true }
    }

    /// Reads the value probes' replies into the accumulator (see `ValueProbeQueue.read`).
    mutating func readProbes(_ probes: [ValueProbe], _ replies: ArraySlice<RedisReply>, features: inout ServerFeatures,
                             client: RedisClient) -> (hits: Int, misses: Int) {
        valueProbes.read(probes, replies, accumulator: &accumulator, features: &features, client: client)
    }

    /// Feeds one page's observations to the accumulator, reserving value probes for string keys while values are
    /// looked at (`probingValues`).
    mutating func record(_ keys: [[UInt8]], _ observations: [KeyObservation], observedAt: Date, probingValues: Bool) {
        if !probingValues { valueProbes.pending = [] }
        scanned += keys.count
        for (key, observation) in zip(keys, observations) {
            if observation.memoryBytes != nil, let type = observation.type, type != "string" {
                exactMemory.append(ExactMemoryLookup(key: key, observation: observation, observedAt: observedAt))
            } else if probingValues, observation.type == "string" {
                if let ticket = accumulator.addReservingValueProbe(key: key, type: observation.type,
                                                                   pttlMilliseconds: observation.pttlMilliseconds,
                                                                   memoryBytes: observation.memoryBytes, observedAt: observedAt) {
                    valueProbes.pending.append(ValueProbe(key: key, ticket: ticket, stage: .length))
                }
            } else {
                accumulator.add(key: key, type: observation.type, pttlMilliseconds: observation.pttlMilliseconds,
                                memoryBytes: observation.memoryBytes, observedAt: observedAt)
            }
        }
    }

    /// Counts the keys held back for their exact size with the `MEMORY USAGE key SAMPLES 0` replies (a missing, failed or
    /// nil reply keeps the sampled size: the key existed when TYPE and PTTL were read). Returns the keyspace hits and
    /// misses the replies caused.
    mutating func recordExactMemory(_ lookups: [ExactMemoryLookup], _ replies: ArraySlice<RedisReply>) -> (hits: Int, misses: Int) {
        var hits = 0
        var misses = 0
        var replyIndex = replies.startIndex
        for lookup in lookups {
            var observation = lookup.observation
            if replyIndex < replies.endIndex {
                switch replies[replyIndex] {
                case .integer(let bytes) where bytes >= 0:
                    observation.memoryBytes = Int(clamping: bytes)
                    hits += 1
                case .null:
                    misses += 1
                default:
                    break
                }
                replyIndex += 1
            }
            accumulator.add(key: lookup.key, type: observation.type, pttlMilliseconds: observation.pttlMilliseconds,
                            memoryBytes: observation.memoryBytes, observedAt: lookup.observedAt)
        }
        return (hits, misses)
    }
}
