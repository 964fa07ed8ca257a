// swift-tools-version: 6.1
import PackageDescription

// Benchmarks live in their own package so that the main build stays lean; build in release:
//   swift build -c release --package-path Benchmarks
let package = Package(
    name: "VigilBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "Vigil", path: "..")],
    targets: [
        .executableTarget(
            name: "MRTBench",
            dependencies: [.product(name: "MRT", package: "Vigil"), .product(name: "BGP", package: "Vigil")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "LiveBench",
            dependencies: [
                .product(name: "MRT", package: "Vigil"), .product(name: "BGP", package: "Vigil"),
                .product(name: "BMP", package: "Vigil"), .product(name: "RISLive", package: "Vigil"),
                .product(name: "Vigil", package: "Vigil"), .product(name: "VigilLive", package: "Vigil"),
                .product(name: "VigilTesting", package: "Vigil"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
