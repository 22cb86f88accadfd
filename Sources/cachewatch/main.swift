import ArgumentParser
import Foundation

// `cachewatch` with no subcommand opens the dashboard. Errors a user can cause print one
// sentence and exit 1; argument mistakes print ArgumentParser's message and usage (exit 64).
setvbuf(stdout, nil, _IOLBF, 0)
// A closed stdout (`| head`) or a Redis peer that went away must give EPIPE, not kill the process
// (hiredis writes without MSG_NOSIGNAL).
signal(SIGPIPE, SIG_IGN)
// `check` is a monitoring plugin: every problem with the command line, the config or the connection is
// UNKNOWN (exit 3) with one `CACHEWATCH UNKNOWN - …` line on stdout, never ArgumentParser's 64.
let isCheck = CommandLine.arguments.dropFirst().first == "check"
do {
    var command = try Cachewatch.parseAsRoot()
    try command.run()
} catch let error as ExitCode {
    exit(error.rawValue)
} catch let error as CLIError where isCheck {
    print("CACHEWATCH UNKNOWN - \(error.message.replacingOccurrences(of: "|", with: "\\x7c"))")
    FileHandle.standardError.write(Data("cachewatch: \(error.message)\n".utf8))
    exit(3)
} catch where isCheck && Cachewatch.exitCode(for: error) != .success {
    let message = Cachewatch.message(for: error)
    let first = message.split(separator: "\n").first.map(String.init) ?? "invalid command line"
    print("CACHEWATCH UNKNOWN - \(first.replacingOccurrences(of: "|", with: "\\x7c"))")
    FileHandle.standardError.write(Data((Cachewatch.fullMessage(for: error) + "\n").utf8))
    exit(3)
} catch let error as CLIError {
    FileHandle.standardError.write(Data("cachewatch: \(error.message)\n".utf8))
    exit(error.exitCode)
} catch {
    Cachewatch.exit(withError: error)
}
