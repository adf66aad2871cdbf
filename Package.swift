// swift-tools-version: 6.1
import PackageDescription

// The guest core (RISCV, FSImage, LinuxKernel) must also compile as Embedded Swift for wasm32
// (see scripts/build-wasm.sh): no Foundation, no Codable, typed throws, class-bound existentials.
let coreSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v5),
    .unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release)),
]

let package = Package(
    name: "Skiff",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "skiff", targets: ["skiff"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
    ],
    targets: [
        // Portable guest core.
        .target(name: "RISCV", swiftSettings: coreSettings),
        .target(name: "FSImage", swiftSettings: coreSettings),
        .target(name: "LinuxKernel", dependencies: ["RISCV", "FSImage"], swiftSettings: coreSettings),
        // Native host: the POSIX implementation of LinuxKernel's Host protocol.
        .target(name: "PosixHost", dependencies: ["LinuxKernel"], swiftSettings: [.swiftLanguageMode(.v5)]),
        // Images: registry client, content store, layers.
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        .target(name: "OCI", dependencies: [
            "CArchive", "FSImage",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Containers: images -> root filesystems -> running guests.
        .target(name: "Skiff", dependencies: [
            "OCI", "LinuxKernel", "PosixHost",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "skiff", dependencies: [
            "Skiff", "OCI",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // bench/extract.sh: layer extraction into a filesystem image, timed against tar.
        .executableTarget(name: "skiff-extract-bench", dependencies: ["OCI"], path: "bench/extract-bench"),
        .testTarget(name: "RISCVTests", dependencies: ["RISCV"], exclude: ["Programs", "Wasm", "Bench"]),
        .testTarget(name: "FSImageTests", dependencies: ["FSImage"]),
        .testTarget(name: "LinuxKernelTests", dependencies: ["LinuxKernel", "PosixHost"]),
        .testTarget(name: "OCITests", dependencies: ["OCI", "FSImage", "CArchive"]),
        .testTarget(name: "SkiffTests", dependencies: ["Skiff"]),
    ]
)
