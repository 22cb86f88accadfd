import CachewatchThreads
import Foundation

/// Feeds the demo's redis-server with the guide's traffic through `redis-cli --pipe`.
final class DemoTraffic {
    private let port: Int
    private var keyspace = DemoKeyspace()
    private var process: Process?
    private var input: FileHandle?
    private var worker: WorkerThread?
    private var second = 0

    init(port: Int) {
        self.port = port
    }

    /// Loads the initial keyspace (blocking) and starts a thread that sends traffic every 100 ms.
    func start() throws {
        try openPipe()
        send(keyspace.initialFill())
        worker = WorkerThread.periodic(name: "demo-traffic", intervalSeconds: 1) { [weak self] in self?.tick() }
    }

    /// Stops the traffic thread and the redis-cli process.
    func stop() {
        worker?.stop()
        worker = nil
        closePipe()
    }

    // MARK: - Loop

    private func tick() {
        second += 1
        if process?.isRunning != true { try? openPipe() }
        send(keyspace.trafficSecond(second: second))
    }

    // MARK: - redis-cli --pipe

    private func openPipe() throws {
        closePipe()
        guard let cli = Executables.find("redis-cli") else {
            throw CLIError("redis-cli is not installed; run `make deps` (or apt-get install redis-tools).")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: cli)
        process.arguments = ["-h", "127.0.0.1", "-p", String(port), "--pipe"]
        let pipe = Pipe()
        process.standardInput = pipe
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        input = pipe.fileHandleForWriting
    }

    private func closePipe() {
        try? input?.close()
        input = nil
        if let process, process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        process = nil
    }

    private func send(_ commands: [[String]]) {
        var data = Data()
        for command in commands {
            data.append(contentsOf: Array("*\(command.count)\r\n".utf8))
            for argument in command {
                let bytes = Array(argument.utf8)
                data.append(contentsOf: Array("$\(bytes.count)\r\n".utf8))
                data.append(contentsOf: bytes)
                data.append(contentsOf: [13, 10])
            }
        }
        try? input?.write(contentsOf: data)
    }
}
