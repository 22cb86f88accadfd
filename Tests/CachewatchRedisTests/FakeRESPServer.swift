import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tiny RESP server on a free loopback port, served by one thread: it records every command it receives
/// (per connection, in order) and answers just what a census sends. Lets tests play a Redis this machine does
/// not have (7.2+ accepting `CLIENT NO-TOUCH`) and cut a connection at an exact command.
final class FakeRESPServer: @unchecked Sendable {
    /// One received command: the connection it came on (1 for the first accepted) and its words.
    struct Received: Equatable {
        var connection: Int
        var words: [String]
        /// The upper-cased command name, with the subcommand for CLIENT and MEMORY (`CLIENT NO-TOUCH`).
        var name: String {
            let first = words.first?.uppercased() ?? ""
            if ["CLIENT", "MEMORY"].contains(first), words.count > 1 { return first + " " + words[1].uppercased() }
            return first
        }
    }

    /// The keys SCAN walks, in order.
    let keys: [String]
    /// Answer `CLIENT NO-TOUCH` with an error (Redis before 7.2, or an ACL denial).
    let refusesNoTouch: Bool
    /// The port it listens on (127.0.0.1).
    private(set) var port = 0

    // MARK: - State (guarded by lock)

    private let lock = NSLock()
    private var received: [Received] = []
    private var stopping = false
    /// Close connection 1 (without answering) when its `dropAtTypeCommand`-th TYPE arrives.
    private var dropAtTypeCommand: Int?
    private var dropped = false

    // MARK: - Thread state (server thread only)

    /// Replies to the first `CLIENT LIST`s, in order (RESP text); later ones get the unknown-command error. Set in
    /// `init` before the thread starts, then used by the server thread only.
    private var clientListReplies: [String]

    private var listenDescriptor: Int32 = -1
    private let finished = DispatchSemaphore(value: 0)
    private var thread: Thread?

    /// Listens at once; `dropAtTypeCommand` cuts the first connection when that many TYPE commands came on it.
    init(keys: [String], refusesNoTouch: Bool = false, dropAtTypeCommand: Int? = nil, clientListReplies: [String] = []) throws {
        self.keys = keys
        self.clientListReplies = clientListReplies
        self.refusesNoTouch = refusesNoTouch
        self.dropAtTypeCommand = dropAtTypeCommand
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw FakeServerError(detail: "socket() failed") }
        var one: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard bound == 0, named == 0, listen(descriptor, 16) == 0 else {
            close(descriptor)
            throw FakeServerError(detail: "cannot listen on 127.0.0.1")
        }
        listenDescriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in
            serve()
            finished.signal()
        }
        thread.name = "FakeRESPServer"
        self.thread = thread
        thread.start()
    }

    deinit { stop() }

    /// Everything received so far.
    var commands: [Received] {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    /// True once connection 1 was cut.
    var didDrop: Bool {
        lock.lock()
        defer { lock.unlock() }
        return dropped
    }

    /// Stops the thread (closing every socket) and waits for it, at most 5 s; false if it did not end in time.
    /// Idempotent.
    @discardableResult
    func stop() -> Bool {
        lock.lock()
        let wasRunning = !stopping && thread != nil
        stopping = true
        lock.unlock()
        guard wasRunning else { return true }
        return finished.wait(timeout: .now() + 5) == .success
    }

    private var isStopping: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }

    // MARK: - Serving

    /// One accepted connection and its unparsed input.
    private final class Client {
        let descriptor: Int32
        let number: Int
        var input: [UInt8] = []
        var typeCommands = 0
        init(descriptor: Int32, number: Int) {
            self.descriptor = descriptor
            self.number = number
        }
    }

    /// The poll loop: accepts, reads, answers; checks the stop flag every 20 ms.
    private func serve() {
        var clients: [Client] = []
        var accepted = 0
        defer {
            for client in clients { close(client.descriptor) }
            close(listenDescriptor)
        }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while !isStopping {
            var descriptors = [pollfd(fd: listenDescriptor, events: Int16(POLLIN), revents: 0)]
            descriptors += clients.map { pollfd(fd: $0.descriptor, events: Int16(POLLIN), revents: 0) }
            guard poll(&descriptors, nfds_t(descriptors.count), 20) > 0 else { continue }
            let polled = clients
            if descriptors[0].revents & Int16(POLLIN) != 0 {
                let descriptor = accept(listenDescriptor, nil, nil)
                if descriptor >= 0 {
                    accepted += 1
                    clients.append(Client(descriptor: descriptor, number: accepted))
                }
            }
            var closed: Set<Int32> = []
            for (index, client) in polled.enumerated() where descriptors[index + 1].revents != 0 {
                let count = recv(client.descriptor, &buffer, buffer.count, 0)
                guard count > 0 else {
                    closed.insert(client.descriptor)
                    continue
                }
                client.input += buffer[0..<count]
                if !handleInput(of: client) { closed.insert(client.descriptor) }
            }
            for descriptor in closed { close(descriptor) }
            clients.removeAll { closed.contains($0.descriptor) }
        }
    }

    /// Answers every complete command in the client's input; false when the connection is to be cut.
    private func handleInput(of client: Client) -> Bool {
        var output: [UInt8] = []
        var keepOpen = true
        while let parsed = Self.parseCommand(client.input) {
            client.input.removeFirst(parsed.1)
            let command = Received(connection: client.number, words: parsed.0)
            lock.lock()
            received.append(command)
            if command.name == "TYPE" { client.typeCommands += 1 }
            let cut = client.number == 1 && !dropped && dropAtTypeCommand == client.typeCommands && command.name == "TYPE"
            if cut { dropped = true }
            lock.unlock()
            if cut {
                keepOpen = false
                break
            }
            output += Array(reply(to: command).utf8)
        }
        if !output.isEmpty, !sendAll(output, to: client.descriptor) { return false }
        return keepOpen
    }

    private func sendAll(_ bytes: [UInt8], to descriptor: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    /// The RESP reply to one command.
    private func reply(to command: Received) -> String {
        let words = command.words
        switch command.name {
        case "HELLO", "CLIENT SETNAME", "SELECT", "AUTH":
            return "+OK\r\n"
        case "CLIENT NO-TOUCH":
            return refusesNoTouch ? "-ERR unknown subcommand 'NO-TOUCH'. Try CLIENT HELP.\r\n" : "+OK\r\n"
        case "PING":
            return "+PONG\r\n"
        case "DBSIZE":
            return ":\(keys.count)\r\n"
        case "SCAN":
            let start = words.count > 1 ? Int(words[1]) ?? 0 : 0
            var count = 10
            if let index = words.firstIndex(where: { $0.uppercased() == "COUNT" }), index + 1 < words.count {
                count = max(1, Int(words[index + 1]) ?? 10)
            }
            let page = keys[min(start, keys.count)..<min(start + count, keys.count)]
            let next = start + count >= keys.count ? "0" : String(start + count)
            return "*2\r\n" + Self.bulk(next) + "*\(page.count)\r\n" + page.map(Self.bulk).joined()
        case "TYPE":
            return keys.contains(words.count > 1 ? words[1] : "") ? "+string\r\n" : "+none\r\n"
        case "PTTL":
            guard words.count > 1, let index = keys.firstIndex(of: words[1]) else { return ":-2\r\n" }
            return ":\(Self.pttlMilliseconds(ofKeyAt: index))\r\n"
        case "MEMORY USAGE":
            return ":64\r\n"
        case "INFO":
            return Self.bulk("# Server\r\nredis_version:7.2.4\r\n")
        case "CLIENT LIST" where !clientListReplies.isEmpty:
            return clientListReplies.removeFirst()
        default:
            return "-ERR unknown command '\(words.first ?? "")'\r\n"
        }
    }

    /// Keys at even positions have no TTL; the others expire in 100 s.
    static func pttlMilliseconds(ofKeyAt index: Int) -> Int { index % 2 == 0 ? -1 : 100_000 }

    private static func bulk(_ text: String) -> String { "$\(text.utf8.count)\r\n\(text)\r\n" }

    /// Parses one RESP array of bulk strings at the start of `input`: its words and how many bytes it used,
    /// or nil while incomplete.
    static func parseCommand(_ input: [UInt8]) -> ([String], Int)? {
        var position = 0
        func line() -> String? {
            var end = position
            while end + 1 < input.count {
                if input[end] == 13 && input[end + 1] == 10 {
                    let text = String(decoding: input[position..<end], as: UTF8.self)
                    position = end + 2
                    return text
                }
                end += 1
            }
            return nil
        }
        guard position < input.count, input[position] == UInt8(ascii: "*") else { return nil }
        position += 1
        guard let countText = line(), let count = Int(countText) else { return nil }
        var words: [String] = []
        for _ in 0..<max(0, count) {
            guard position < input.count, input[position] == UInt8(ascii: "$") else { return nil }
            position += 1
            guard let lengthText = line(), let length = Int(lengthText), length >= 0, position + length + 2 <= input.count,
                  input[position + length] == 13, input[position + length + 1] == 10 else { return nil }
            words.append(String(decoding: input[position..<position + length], as: UTF8.self))
            position += length + 2
        }
        return (words, position)
    }
}

/// The fake server could not start.
struct FakeServerError: Error, CustomStringConvertible {
    var detail: String
    var description: String { "FakeRESPServer: \(detail)" }
}
