import CachewatchCore

/// The census's bounded look at string values: the probes waiting for the next page's pipeline, and the reading of
/// their replies. A key's probe goes `STRLEN`, then `GETRANGE key 0 12` for values of at most 13 bytes (or `PTTL`
/// when the length is 0: an empty string, or a key that vanished); never a whole value.
struct ValueProbeQueue {
    /// Probes for the next pipeline: `STRLEN` for keys the accumulator reserved, then the follow-ups queued by `read`.
    var pending: [ValueProbe] = []

    /// Reads the probes' replies (after a page's lookups): classifies what can be into `accumulator`, queues the next
    /// step into `pending`, and counts the keyspace hits and misses the probes caused. A refused STRLEN or GETRANGE
    /// turns the look at values off (with a note).
    mutating func read(_ probes: [ValueProbe], _ replies: ArraySlice<RedisReply>, accumulator: inout CensusAccumulator,
                       features: inout ServerFeatures, client: RedisClient) -> (hits: Int, misses: Int) {
        var hits = 0
        var misses = 0
        for (probe, reply) in zip(probes, replies) {
            if let text = reply.errorText {
                if text.hasPrefix("WRONGTYPE") {
                    hits += 1   // no longer a string: nothing to say about it
                } else {
                    features.disable(.values(command: probe.stage.commandName),
                                     because: client.mappedError(text, command: probe.stage.commandName))
                }
                continue
            }
            switch probe.stage {
            case .length:
                guard let length = reply.integerValue.map({ Int(clamping: $0) }), length >= 0 else { continue }
                if length == 0 {
                    misses += 1
                    pending.append(ValueProbe(key: probe.key, ticket: probe.ticket, stage: .exists))
                } else if length > ValueClass.maximumProbedBytes {
                    hits += 1
                    accumulator.addValue(.other, ticket: probe.ticket)
                } else {
                    hits += 1
                    pending.append(ValueProbe(key: probe.key, ticket: probe.ticket, stage: .bytes(length)))
                }
            case .bytes(let length):
                let bytes = reply.bytesValue ?? []
                if bytes.isEmpty { misses += 1 } else { hits += 1 }
                if let valueClass = ValueClass.classify(lengthBytes: length, bytes: bytes) {
                    accumulator.addValue(valueClass, ticket: probe.ticket)
                }
            case .exists:
                // STRLEN says 0 for a missing key too: only a key that still exists holds the empty string.
                guard case .integer(let pttl) = reply else { continue }
                if pttl == -2 {
                    misses += 1
                } else {
                    hits += 1
                    accumulator.addValue(.falsy, ticket: probe.ticket)
                }
            }
        }
        return (hits, misses)
    }
}
