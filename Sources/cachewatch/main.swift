import ArgumentParser
import Foundation

// `cachewatch` with no subcommand opens the dashboard. Errors a user can cause print one
// sentence and exit 1; argument mistakes print ArgumentParser's message and usage (exit 64).
setvbuf(stdout, nil, _IOLBF, 0)
// A closed stdout (`| head`) or a Redis peer that went away must give EPIPE, not kill the process
// (hiredis writes without MSG_NOSIGNAL).
signal(SIGPIPE, SIG_IGN)
do {
    var command = try Cachewatch.parseAsRoot()
    try command.run()
} catch let error as CLIError {
    FileHandle.standardError.write(Data("cachewatch: \(error.message)\n".utf8))
    exit(error.exitCode)
} catch {
    Cachewatch.exit(withError: error)
}
