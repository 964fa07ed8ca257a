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
        )
    ]
)
