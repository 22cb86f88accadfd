import ArgumentParser

/// Keyspace census options.
struct CensusArguments: ParsableArguments {
    @Option(name: .customLong("scan-budget"), help: "Keys per second the background census may read (default 5000).")
    var scanBudget: Int?

    @Flag(name: .long, help: "Sample MEMORY USAGE for every scanned key.")
    var memory = false

    @Option(name: .customLong("refresh"), help: ArgumentHelp("Minimum time between the starts of two background census passes (dashboard, watch; default 5m, 10s…24h).", valueName: "duration"))
    var refresh: DurationArgument?

    @Option(name: .customLong("max-families"), help: "Families to show before the rest is folded into (other) (default 200).")
    var maxFamilies: Int?

    @Flag(name: .customLong("scan-replicas"), help: "Redis Cluster: census each primary's replica (READONLY) to spare the primaries.")
    var scanReplicas = false
}
