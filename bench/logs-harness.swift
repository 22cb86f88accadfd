// A tiny release harness for the log backfill benchmark (compiled by bench/logs-bench.sh
// against the release build of CachewatchCore and CachewatchLogs).
import CachewatchCore
import CachewatchLogs
import Foundation

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write("usage: logs-harness FILE [BACKFILL_SECONDS]\n".data(using: .utf8)!)
    exit(2)
}
let backfill = arguments.count > 2 ? Double(arguments[2]) ?? 900 : 900
let started = Date()
let monitor = LogMonitor(paths: [arguments[1]], backfillSeconds: backfill, timeZone: TimeZone(identifier: "UTC")!)
monitor.pollOnce()
let elapsed = Date().timeIntervalSince(started)
let report = monitor.report(now: Date())
let megabytes = Double(monitor.bytesRead) / 1_048_576
print(report.json.serialized())
print(String(format: "backfill: %.1f MiB in %.3f s = %.0f MiB/s, fail_open total %d, lines %d",
             megabytes, elapsed, megabytes / elapsed, report.failOpen.total, report.sources.first?.lines ?? 0))
