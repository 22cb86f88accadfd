import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Asks the kernel for a free TCP port on 127.0.0.1 (bind to port 0, read it back, close).
public func freeLoopbackPort() -> Int {
    #if canImport(Glibc)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { return Int.random(in: 20000...60000) }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { return Int.random(in: 20000...60000) }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A free loopback port ≤ 55535 whose cluster bus port (+ 10000) is free as well (Redis Cluster nodes).
public func freeClusterPort() -> Int {
    for _ in 0..<200 {
        let port = freeLoopbackPort()
        if port <= 55535, !loopbackPortAccepts(port + 10000) { return port }
    }
    for _ in 0..<200 {
        let port = Int.random(in: 20000...55535)
        if !loopbackPortAccepts(port), !loopbackPortAccepts(port + 10000) { return port }
    }
    return Int.random(in: 20000...55535)
}
