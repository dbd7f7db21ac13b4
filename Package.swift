// swift-tools-version:6.1
import PackageDescription

// Module map (see README "Architecture"): executables on top stay thin; no module imports one above it.
//   killswitch, venue-sim           thin executables
//   KillSwitchCLI                   argument parsing, command implementations
//   KillSwitchDaemon                ServiceGroup, control API, executor wiring
//   Venues | VenueSim               venue adapters | the independent simulator (never imports Venues)
//   KillSwitchStore, KillSwitchConfig
//   KillSwitchCore                  domain types, rules, state machines, token bucket, planner
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
]

let package = Package(
    name: "killswitch",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "killswitch", targets: ["killswitch"]),
        .executable(name: "venue-sim", targets: ["venue-sim"]),
        .library(name: "KillSwitchCore", targets: ["KillSwitchCore"]),
        .library(name: "KillSwitchStore", targets: ["KillSwitchStore"]),
        .library(name: "VenueSim", targets: ["VenueSim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        // Tests only: reads docs/control-api.yaml to hold the running daemon to it.
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // System SQLite (Debian libsqlite3-dev) through its C API.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(
            name: "KillSwitchCore",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KillSwitchConfig",
            dependencies: [
                "KillSwitchCore",
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "MigrationEmbedder",
            swiftSettings: swiftSettings
        ),
        .plugin(
            name: "EmbedMigrations",
            capability: .buildTool(),
            dependencies: ["MigrationEmbedder"]
        ),
        .executableTarget(
            name: "BuildInfoEmbedder",
            swiftSettings: swiftSettings
        ),
        .plugin(
            name: "EmbedBuildInfo",
            capability: .buildTool(),
            dependencies: ["BuildInfoEmbedder"]
        ),
        .executableTarget(
            name: "DocumentEmbedder",
            swiftSettings: swiftSettings
        ),
        .plugin(
            name: "EmbedControlAPIDocument",
            capability: .buildTool(),
            dependencies: ["DocumentEmbedder"]
        ),
        .target(
            name: "KillSwitchStore",
            dependencies: [
                "CSQLite",
                "KillSwitchCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings,
            plugins: ["EmbedMigrations"]
        ),
        .target(
            name: "Venues",
            dependencies: [
                "KillSwitchCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The simulator is an independent witness: it must never depend on Venues or KillSwitchCore.
        .target(
            name: "VenueSim",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KillSwitchDaemon",
            dependencies: [
                "KillSwitchCore",
                "KillSwitchConfig",
                "KillSwitchStore",
                "Venues",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings,
            plugins: ["EmbedControlAPIDocument"]
        ),
        .target(
            name: "KillSwitchCLI",
            dependencies: [
                "KillSwitchCore",
                "KillSwitchConfig",
                "KillSwitchStore",
                "KillSwitchDaemon",
                "Venues",
                "VenueSim",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings,
            plugins: ["EmbedBuildInfo"]
        ),
        .executableTarget(
            name: "killswitch",
            dependencies: ["KillSwitchCLI"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "venue-sim",
            dependencies: [
                "VenueSim",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // Benchmarks (not tests): run with `swift run -c release NAME`; results in BENCHMARKS.md.
        .executableTarget(
            name: "IngestBenchmark",
            dependencies: ["CSQLite", "KillSwitchStore", "KillSwitchCore"],
            path: "Benchmarks/IngestBenchmark",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "EventSocketBenchmark",
            dependencies: ["KillSwitchDaemon", "KillSwitchConfig", "KillSwitchStore", "KillSwitchCore", "VenueSim",
                           .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/EventSocketBenchmark",
            swiftSettings: swiftSettings
        ),
        // The book and the daemon set-up the trip benchmarks share.
        .target(
            name: "BenchBook",
            dependencies: ["KillSwitchDaemon", "KillSwitchConfig", "KillSwitchStore", "KillSwitchCore", "VenueSim"],
            path: "Benchmarks/BenchBook",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "TimeToFlatBenchmark",
            dependencies: ["BenchBook", "KillSwitchDaemon", "KillSwitchConfig", "KillSwitchStore", "KillSwitchCore", "VenueSim",
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "AsyncHTTPClient", package: "async-http-client")],
            path: "Benchmarks/TimeToFlatBenchmark",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "GlobalKillBenchmark",
            dependencies: ["BenchBook", "KillSwitchDaemon", "KillSwitchConfig", "KillSwitchStore", "KillSwitchCore", "VenueSim",
                           .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/GlobalKillBenchmark",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "HeartbeatLatencyBenchmark",
            dependencies: ["KillSwitchDaemon", "KillSwitchConfig", "KillSwitchStore", "KillSwitchCore", "VenueSim",
                           .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/HeartbeatLatencyBenchmark",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KillSwitchCoreTests",
            dependencies: ["KillSwitchCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KillSwitchConfigTests",
            dependencies: ["KillSwitchConfig", "KillSwitchCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KillSwitchStoreTests",
            dependencies: ["KillSwitchStore", "KillSwitchConfig", "KillSwitchCore", "CSQLite"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VenuesTests",
            dependencies: [
                "Venues",
                "KillSwitchCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Fixtures/venue-answers"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VenueSimTests",
            dependencies: [
                "VenueSim",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KillSwitchDaemonTests",
            dependencies: ["KillSwitchDaemon", "KillSwitchCLI", "VenueSim", "KillSwitchStore", "KillSwitchConfig", "KillSwitchCore",
                           .product(name: "Prometheus", package: "swift-prometheus"),
                           .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
    ]
)
