// swift-tools-version: 6.1
import PackageDescription

// The guest core (RISCV, X86, FSImage, LinuxKernel, ModuleBundle, ImageLayers) must also compile as Embedded Swift for wasm32
// (see scripts/build-wasm.sh): no Foundation, no Codable, typed throws, class-bound existentials.
let coreSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v5),
    .unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release)),
]

// Start-up speed of the `skiff` executable (issue 3: `skiff run` of busybox echo in <= 15 ms),
// release builds on Linux: the Swift runtime and Foundation linked statically (no loading and
// relocating of ~15 shared libraries, ICU among them), as a position-dependent executable (no
// relative relocations of the metadata pages at every start) that exports no symbols (a small
// .dynsym for the runtime's dladdr). The static libraries are listed because SwiftPM compiled
// the modules against the shared runtime, whose autolink entries omit Foundation's own
// dependencies. Together: ~1.7x less start-up CPU time than the dynamic, PIE build.
let fastStartLinkFlags: [String] = ["-static-stdlib", "-Xlinker", "-no-pie", "-Xlinker", "--no-export-dynamic",
    "-Xlinker", "--start-group"]
    + ["Foundation", "FoundationEssentials", "FoundationInternationalization", "CoreFoundation", "_FoundationCShims",
       "_FoundationCollections", "_FoundationICU", "swiftDispatch", "dispatch", "BlocksRuntime",
       "swiftSynchronization", "stdc++"].flatMap { ["-Xlinker", "-l\($0)"] }
    + ["-Xlinker", "--end-group"]

let package = Package(
    name: "Skiff",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "skiff", targets: ["skiff"]),
        // containerd runtime v2 shim: `ctr run --runtime io.containerd.skiff.v1` (docs/containerd.md).
        .executable(name: "containerd-shim-skiff-v1", targets: ["ContainerdShimMain"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        // The engine of WASI workloads (Sources/WasiRuntime).
        .package(url: "https://github.com/swiftwasm/WasmKit", exact: "0.4.2"),
        // The shim's protobuf messages (generated code in Sources/ContainerdShim/Generated).
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        // Portable guest core.
        // Functions on 64-byte boundaries: where `Hart.run` happens to land otherwise decides
        // whether its dispatch sequence straddles two fetch windows; when it did, the same loop
        // ran 25-45% slower (docs/performance.md, "The interpreter").
        // The run loop's dispatch copied into the end of every arm (as the X86 target's below;
        // docs/performance.md, "The dispatch in every arm"). Then the slot pointer is one value
        // merged from ~200 dispatch copies into ~250 arms: LLVM's register coalescer stops
        // joining an interval that large after 256 joins (-large-interval-freq-threshold) and
        // the pointer went to a stack slot, stored and reloaded at every instruction.
        .target(name: "RISCV", swiftSettings: coreSettings
                    + [.unsafeFlags(["-Xllvm", "-align-all-functions=6",
                                     "-Xllvm", "-tail-dup-pred-size=1000", "-Xllvm", "-tail-dup-succ-size=1000",
                                     "-Xllvm", "-large-interval-freq-threshold=100000"],
                                    .when(configuration: .release))]),
        // The x86-64 guest CPU (it shares GuestMemory, which lives in RISCV for now).
        // The run loop's dispatch (the jump-table jump) copied into the end of every arm, so
        // that each arm has its own indirect jump for the branch predictor (docs/x86-64.md,
        // "Speed"): LLVM does this for interpreter loops, but since LLVM 19 not for a block with
        // more than 16 predecessors and 16 successors (and phis) unless these limits are raised.
        // The coalescer's limit (see RISCV above) kept one of its values in a stack slot too.
        .target(name: "X86", dependencies: ["RISCV"], swiftSettings: coreSettings
                    + [.unsafeFlags(["-Xllvm", "-tail-dup-pred-size=1000", "-Xllvm", "-tail-dup-succ-size=1000",
                                     "-Xllvm", "-large-interval-freq-threshold=100000"],
                                    .when(configuration: .release))]),
        .target(name: "FSImage", swiftSettings: coreSettings),
        .target(name: "LinuxKernel", dependencies: ["RISCV", "X86", "FSImage"], swiftSettings: coreSettings),
        // What a converted module carries besides the core (its configuration, filesystem layout).
        .target(name: "ModuleBundle", swiftSettings: coreSettings),
        // Layer tarballs -> one filesystem image (OCI's changeset rules; a portable tar reader).
        .target(name: "ImageLayers", dependencies: ["FSImage"], swiftSettings: coreSettings),
        // Native execution tier (x86-64 hosts): hot guest blocks compiled to host code.
        .target(name: "RISCVNative", dependencies: ["RISCV"], swiftSettings: coreSettings),
        // The same for x86-64 guests (reuses RISCVNative's assembler and code buffer).
        .target(name: "X86Native", dependencies: ["X86", "RISCV", "RISCVNative"], swiftSettings: coreSettings),
        // Native host: the POSIX implementation of LinuxKernel's Host protocol.
        .target(name: "PosixHost", dependencies: ["LinuxKernel"], swiftSettings: [.swiftLanguageMode(.v5)]),
        // Images: registry client, content store, layers.
        // libarchive's headers (no pkg-config: its `-larchive` would load libarchive, libxml2 and
        // ICU at every start, ~2 ms); the library is loaded on first use by ArchiveLoader.
        .systemLibrary(name: "CArchive", providers: [.apt(["libarchive-dev"])]),
        // zlib for `skiff convert --compress` (already loaded by skiff: no start-up cost).
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "ArchiveLoader", dependencies: ["CArchive"],
                linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        .target(name: "OCI", dependencies: [
            "CArchive", "ArchiveLoader", "FSImage", "ImageLayers",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Skiff as a WASI runtime: WASI images' modules run on WasmKit (docs/wasi-workloads.md).
        // Not the converted module's WASI host (wasm/WasiHost.swift: Skiff as a WASI guest).
        .target(name: "WasiRuntime", dependencies: [
            .product(name: "WasmKit", package: "WasmKit"),
            .product(name: "WasmKitWASI", package: "WasmKit"),
            .product(name: "WASI", package: "WasmKit"),
        ], swiftSettings: [.swiftLanguageMode(.v5)]),
        // The control socket's wire format (skiff exec and containerd's shim speak it to a running container).
        .target(name: "ContainerControlWire", swiftSettings: [.swiftLanguageMode(.v5)]),
        // Containers: images -> root filesystems -> running guests.
        .target(name: "Skiff", dependencies: [
            "ContainerControlWire", "OCI", "LinuxKernel", "PosixHost", "RISCVNative", "X86Native", "ModuleBundle", "CZlib", "WasiRuntime",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "skiff", dependencies: [
            "Skiff", "OCI", "ContainerControlWire",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
        ], linkerSettings: [.unsafeFlags(fastStartLinkFlags, .when(platforms: [.linux], configuration: .release))]),
        // The containerd shim: ttrpc, containerd's task API, the bundle's process (docs/containerd.md).
        .target(name: "ContainerdShim", dependencies: [
            "ContainerControlWire",
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ], exclude: ["Proto"], swiftSettings: [.swiftLanguageMode(.v5)]),
        .executableTarget(name: "ContainerdShimMain", dependencies: ["ContainerdShim",
            .product(name: "SwiftProtobuf", package: "swift-protobuf")], swiftSettings: [.swiftLanguageMode(.v5)]),
        // bench/extract.sh: layer extraction into a filesystem image, timed against tar.
        .executableTarget(name: "skiff-extract-bench", dependencies: ["OCI"], path: "bench/extract-bench"),
        // Test scaffolding shared by the ISA tests: a static ELF's segments in a fresh address space.
        .target(name: "ELFTestSupport", dependencies: ["RISCV"], path: "Tests/ELFTestSupport"),
        .testTarget(name: "RISCVTests", dependencies: ["RISCV", "RISCVNative", "ELFTestSupport"], exclude: ["Programs", "Wasm", "Bench"]),
        .testTarget(name: "X86Tests", dependencies: ["X86", "RISCV", "ELFTestSupport"], exclude: ["Programs"]),
        .testTarget(name: "FSImageTests", dependencies: ["FSImage"]),
        .testTarget(name: "LinuxKernelTests", dependencies: ["LinuxKernel", "PosixHost"]),
        .testTarget(name: "OCITests", dependencies: ["OCI", "FSImage", "CArchive"]),
        .testTarget(name: "SkiffTests", dependencies: ["Skiff"]),
    ]
)
