import CachewatchCore
import Foundation

/// Reads a cluster's topology through one connection: `CLUSTER SHARDS` (7.0+), else `CLUSTER NODES`, and
/// `CLUSTER INFO`. Read-only; errors are `RedisError`s.
public enum ClusterDiscovery {
    /// The topology as `client`'s node sees it. A server that refuses `CLUSTER SHARDS` (older than 7.0, or an ACL)
    /// is asked `CLUSTER NODES`; a node that is not in cluster mode answers with an error, thrown.
    public static func topology(client: RedisClient) throws -> ClusterTopology {
        do {
            let reply = try client.send(.clusterShards)
            let topology = ClusterShardsParser.parse(Self.value(reply))
            if !topology.nodes.isEmpty { return topology }
        } catch let error as RedisError where error.isConnectionError {
            throw error
        } catch {}
        let text = try client.send(.clusterNodes).stringValue ?? ""
        return ClusterNodesParser.parse(text)
    }

    /// `CLUSTER INFO` (nil when refused).
    public static func info(client: RedisClient) throws -> ClusterInfo? {
        do {
            return try client.send(.clusterInfo).stringValue.map(ClusterInfo.init(text:))
        } catch let error as RedisError where error.isConnectionError {
            throw error
        } catch {
            return nil
        }
    }

    /// A reply as the core's neutral tree (bulk strings decoded as UTF-8, invalid bytes replaced).
    public static func value(_ reply: RedisReply) -> ClusterReplyValue {
        switch reply {
        case .status(let text): return .string(text)
        case .error(let text): return .error(text)
        case .integer(let value): return .integer(value)
        case .bulk(let bytes): return .string(String(decoding: bytes, as: UTF8.self))
        case .array(let items): return .array(items.map(value))
        case .null: return .null
        }
    }

    /// True for a `MOVED` or `ASK` redirection (the slots moved: discover again).
    public static func isRedirection(_ error: RedisError) -> Bool {
        let text = error.message
        return text.contains("MOVED ") || text.contains("ASK ")
    }
}
