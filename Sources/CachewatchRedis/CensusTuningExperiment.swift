import Foundation

// TEMPORARY (s17-impact measurements only, removed before merge): CACHEWATCH_CENSUS_TUNING="batch=64,window=128,count=250,pages=100".
extension CensusOptions {
    func experimentTuned() -> CensusOptions {
        guard let spec = ProcessInfo.processInfo.environment["CACHEWATCH_CENSUS_TUNING"] else { return self }
        var tuned = self
        var batch = pipelineWindow.batchCommands
        var window = pipelineWindow.maxCommandsInFlight
        for part in spec.split(separator: ",") {
            let kv = part.split(separator: "=")
            guard kv.count == 2, let value = Int(kv[1]), value > 0, value < 1_000_000 else { continue }
            switch kv[0] {
            case "batch": batch = value
            case "window": window = value
            case "count": if case .full = mode { tuned.scanCount = value }
            case "pages": tuned.budgetPagesPerSecond = value
            default: break
            }
        }
        tuned.pipelineWindow = PipelineWindow(batchCommands: batch, maxCommandsInFlight: window)
        return tuned
    }
}
