// swift-tools-version:6.1
import PackageDescription

// Order-event ingest throughput against a bound measured in the same run (see BENCHMARKS.md).
// A separate package so `swift test` in the root never builds benchmarks.
let package = Package(
    name: "IngestBenchmark",
    dependencies: [
        .package(path: "../.."),
    ],
    targets: [
        .systemLibrary(name: "CSQLiteBench", pkgConfig: "sqlite3"),
        .executableTarget(
            name: "IngestBenchmark",
            dependencies: [
                "CSQLiteBench",
                .product(name: "KillSwitchStore", package: "killswitch"),
                .product(name: "KillSwitchCore", package: "killswitch"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
