// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "Vigil",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "vigil", targets: ["VigilCLI"]),
        .library(name: "BGP", targets: ["BGP"]),
        .library(name: "MRT", targets: ["MRT"]),
        .library(name: "BMP", targets: ["BMP"]),
        .library(name: "Vigil", targets: ["Vigil"]),
        .library(name: "VigilReplay", targets: ["VigilReplay"]),
        .library(name: "VigilTesting", targets: ["VigilTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        // System libraries (Debian: zlib1g-dev, libbz2-dev).
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib"),
        .systemLibrary(name: "CBzip2", path: "Sources/CBzip2"),

        // Wire-level BGP value types and decoding; depends on nothing.
        .target(name: "BGP", swiftSettings: strict),
        // MRT record reader over raw/gzip/bzip2 input and bgpdump-compatible output.
        .target(name: "MRT", dependencies: ["BGP", "CZlib", "CBzip2"], swiftSettings: strict),
        // BMP (RFC 7854) decoding into the same route elements as MRT.
        .target(name: "BMP", dependencies: ["BGP", "MRT"], swiftSettings: strict),
        // The core: targets, route events, the routing view, signals, detector and diagnosis.
        .target(name: "Vigil", dependencies: ["BGP"], swiftSettings: strict),
        // Sources of route events from MRT files, and the replay driver.
        .target(name: "VigilReplay", dependencies: ["Vigil", "MRT", "BGP"], swiftSettings: strict),
        // The `vigil` command line: wiring only.
        .executableTarget(
            name: "VigilCLI",
            dependencies: [
                "BGP", "MRT", "Vigil", "VigilReplay",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),

        // Test support shipped as a product: the shared-data fixture loader and process helpers.
        .target(name: "VigilTesting", dependencies: ["MRT"], swiftSettings: strict),

        .testTarget(name: "BGPTests", dependencies: ["BGP", "VigilTesting"], swiftSettings: strict),
        .testTarget(name: "MRTTests", dependencies: ["MRT", "BGP", "VigilTesting"], swiftSettings: strict),
        .testTarget(name: "BMPTests", dependencies: ["BMP", "MRT", "BGP", "VigilTesting"], swiftSettings: strict),
        .testTarget(name: "VigilTests", dependencies: ["Vigil", "BGP", "VigilTesting"], swiftSettings: strict),
        .testTarget(
            name: "VigilReplayTests", dependencies: ["VigilReplay", "Vigil", "MRT", "BGP", "VigilTesting"],
            swiftSettings: strict),
        .testTarget(name: "VigilCLITests", dependencies: ["MRT", "BGP", "VigilTesting"], swiftSettings: strict),
    ]
)
