// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]
/// The modules every route passes through (decoding MRT, BMP and RIS Live, the routing view, the detector,
/// replay and the live engine) are optimized in debug builds too: the tests decode and replay real files by
/// the hundred megabytes, and unoptimized they spent most of the test run there. Release builds are
/// optimized anyway.
let hot: [SwiftSetting] = strict + [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "Vigil",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "vigil", targets: ["VigilCLI"]),
        .library(name: "BGP", targets: ["BGP"]),
        .library(name: "VigilClock", targets: ["VigilClock"]),
        .library(name: "MRT", targets: ["MRT"]),
        .library(name: "BMP", targets: ["BMP"]),
        .library(name: "Vigil", targets: ["Vigil"]),
        .library(name: "VigilReplay", targets: ["VigilReplay"]),
        .library(name: "VigilArchive", targets: ["VigilArchive"]),
        .library(name: "RISLive", targets: ["RISLive"]),
        .library(name: "VigilStore", targets: ["VigilStore"]),
        .library(name: "VigilLive", targets: ["VigilLive"]),
        .library(name: "VigilServer", targets: ["VigilServer"]),
        .library(name: "VigilApp", targets: ["VigilApp"]),
        .library(name: "Probing", targets: ["Probing"]),
        .library(name: "VigilTesting", targets: ["VigilTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // System libraries (Debian: zlib1g-dev, libbz2-dev).
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib"),
        .systemLibrary(name: "CBzip2", path: "Sources/CBzip2"),

        // The one clock of the live edges (a Swift `Clock` in seconds since the epoch), system and manual.
        .target(name: "VigilClock", swiftSettings: strict),
        // Wire-level BGP value types and decoding; depends on nothing.
        .target(name: "BGP", swiftSettings: hot),
        // MRT record reader over raw/gzip/bzip2 input and bgpdump-compatible output.
        .target(name: "MRT", dependencies: ["BGP", "CZlib", "CBzip2"], swiftSettings: hot),
        // BMP (RFC 7854) decoding into the same route elements as MRT.
        .target(
            name: "BMP",
            dependencies: [
                "BGP", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: hot),
        // RIPE RIS Live: the message model and the websocket client.
        .target(
            name: "RISLive",
            dependencies: [
                "BGP", "VigilClock", .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: hot),
        // The core: targets, route events, the routing view, signals, detector and diagnosis.
        .target(name: "Vigil", dependencies: ["BGP"], swiftSettings: hot),
        // Sources of route events from MRT files, and the replay driver.
        .target(name: "VigilReplay", dependencies: ["Vigil", "MRT", "BGP", "RISLive"], swiftSettings: hot),
        // Public archives (RIPE RIS, RouteViews): listings read, files picked for a time range, downloaded
        // and cached.
        .target(
            name: "VigilArchive",
            dependencies: [
                "BGP", "Vigil", "VigilClock", "RISLive",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict),
        // Durable history in one SQLite file: events, signals, feed gaps, peers, targets.
        .target(
            name: "VigilStore",
            dependencies: [
                "Vigil", "BGP", "VigilClock", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: hot),
        // The HTTP API, the dashboard pages, server-sent events, metrics and webhooks over a store.
        .target(
            name: "VigilServer",
            dependencies: [
                "Vigil", "VigilStore", "VigilClock", "BGP", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            resources: [.copy("Resources/openapi.json"), .copy("Resources/vigil.css"), .copy("Resources/vigil.js")],
            swiftSettings: strict),
        // Active measurements: ICMP echo, TCP connect, DNS, HTTP(S), traceroute; rate limits.
        .target(
            name: "Probing",
            dependencies: [
                "Vigil", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict),
        // Live monitoring: RIS Live and BMP sources into the shared view, detector and store.
        .target(
            name: "VigilLive",
            dependencies: [
                "Vigil", "VigilStore", "VigilClock", "RISLive", "BMP", "MRT", "BGP", "Probing",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),
        // `vigil watch` assembled from the live engine, the sources, the server and the alerts.
        .target(
            name: "VigilApp",
            dependencies: [
                "Vigil", "VigilLive", "VigilServer", "VigilStore", "VigilClock", "RISLive", "BMP", "BGP", "Probing",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),
        // The `vigil` command line: wiring only.
        .executableTarget(
            name: "VigilCLI",
            dependencies: [
                "BGP", "MRT", "Vigil", "VigilReplay", "VigilArchive", "VigilStore", "VigilLive", "VigilServer",
                "VigilApp", "RISLive",
                "BMP", "Probing",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),

        // Test support shipped as a product: the shared-data fixture loader and process helpers.
        .target(
            name: "VigilTesting",
            dependencies: [
                "MRT", "VigilStore", "VigilClock", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            ],
            swiftSettings: strict),

        .testTarget(name: "BGPTests", dependencies: ["BGP", "VigilTesting"], swiftSettings: strict),
        .testTarget(name: "MRTTests", dependencies: ["MRT", "BGP", "VigilTesting"], swiftSettings: strict),
        .testTarget(name: "BMPTests", dependencies: ["BMP", "MRT", "BGP", "VigilTesting"], swiftSettings: strict),
        .testTarget(
            name: "RISLiveTests", dependencies: ["RISLive", "BGP", "VigilClock", "VigilTesting"], swiftSettings: strict),
        .testTarget(
            name: "VigilStoreTests",
            dependencies: [
                "VigilStore", "Vigil", "BGP", "VigilClock", "VigilTesting",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "VigilLiveTests",
            dependencies: [
                "VigilLive", "VigilApp", "VigilStore", "VigilClock", "RISLive", "BMP", "Vigil", "BGP", "Probing",
                "VigilTesting",
            ],
            swiftSettings: strict),
        .testTarget(
            name: "VigilServerTests",
            dependencies: [
                "VigilServer", "VigilStore", "VigilClock", "Vigil", "BGP", "VigilTesting",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict),
        .testTarget(name: "ProbingTests", dependencies: ["Probing", "Vigil", "VigilTesting"], swiftSettings: strict),
        .testTarget(name: "VigilTests", dependencies: ["Vigil", "BGP", "VigilTesting"], swiftSettings: strict),
        .testTarget(
            name: "VigilReplayTests", dependencies: ["VigilReplay", "Vigil", "MRT", "BGP", "VigilTesting"],
            swiftSettings: strict),
        .testTarget(name: "VigilCLITests", dependencies: ["MRT", "BGP", "VigilTesting"], swiftSettings: strict),
        .testTarget(
            name: "VigilArchiveTests", dependencies: ["VigilArchive", "BGP", "VigilClock", "VigilTesting"],
            swiftSettings: strict),
    ]
)
