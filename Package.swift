// swift-tools-version: 6.0
import PackageDescription

/// Targets written in Swift 5 mode touch C pointers, threads and signals; the pure
/// modules (core, UI) are checked in full Swift 6 mode.
let swift5: [SwiftSetting] = [.swiftLanguageMode(.v5)]

let package = Package(
    name: "cachewatch",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "cachewatch", targets: ["cachewatch"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
    ],
    targets: [
        // MARK: - C system libraries (the only C in the project)
        .systemLibrary(
            name: "CHiredis",
            path: "Sources/CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        .systemLibrary(
            name: "CNcursesw",
            path: "Sources/CNcursesw",
            pkgConfig: "ncursesw",
            providers: [.apt(["libncurses-dev"])]
        ),

        // MARK: - Pure core: imports no C module (TOMLKit, a Swift wrapper over toml++, is used by
        // Config/TOMLDocument.swift only)
        .target(name: "CachewatchCore", dependencies: [.product(name: "TOMLKit", package: "TOMLKit")]),

        // MARK: - Adapters
        .target(name: "CachewatchThreads", swiftSettings: swift5),
        .target(name: "CachewatchRedis", dependencies: ["CachewatchCore", "CachewatchThreads", "CHiredis"], swiftSettings: swift5),
        .target(name: "CachewatchLogs", dependencies: ["CachewatchCore", "CachewatchThreads"], swiftSettings: swift5),
        .target(name: "CachewatchMemcached", dependencies: ["CachewatchCore", "CachewatchThreads"], swiftSettings: swift5),
        .target(name: "CachewatchUI", dependencies: ["CachewatchCore"]),
        .target(name: "CachewatchTerminal", dependencies: ["CachewatchUI", "CNcursesw"], swiftSettings: swift5),
        .target(
            name: "CachewatchRecording",
            dependencies: ["CachewatchCore", .product(name: "CompressNIO", package: "compress-nio")],
            swiftSettings: swift5
        ),

        // MARK: - Executable
        .executableTarget(
            name: "cachewatch",
            dependencies: [
                "CachewatchCore", "CachewatchRedis", "CachewatchLogs", "CachewatchUI", "CachewatchTerminal", "CachewatchThreads", "CachewatchMemcached",
                "CachewatchRecording",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swift5,
            plugins: ["BuildCommitPlugin"]
        ),
        // Writes the git commit into the executable for `cachewatch --version`.
        .plugin(name: "BuildCommitPlugin", capability: .buildTool()),

        // MARK: - Tests
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: swift5),
        .testTarget(name: "CachewatchCoreTests", dependencies: ["CachewatchCore"], exclude: ["Fixtures"], swiftSettings: swift5),
        .testTarget(name: "CachewatchRedisTests", dependencies: ["CachewatchRedis", "TestSupport"], swiftSettings: swift5),
        .testTarget(name: "CachewatchMemcachedTests", dependencies: ["CachewatchMemcached", "TestSupport"], swiftSettings: swift5),
        .testTarget(name: "CachewatchRecordingTests", dependencies: ["CachewatchRecording"], swiftSettings: swift5),
        .testTarget(name: "CachewatchLogsTests", dependencies: ["CachewatchLogs", "TestSupport"], swiftSettings: swift5),
        .testTarget(name: "CachewatchUITests", dependencies: ["CachewatchUI"], exclude: ["Snapshots"], swiftSettings: swift5),
        .testTarget(name: "CachewatchCLITests", dependencies: ["TestSupport"], swiftSettings: swift5),
        .testTarget(name: "CachewatchThreadsTests", dependencies: ["CachewatchThreads"], swiftSettings: swift5),
    ]
)
