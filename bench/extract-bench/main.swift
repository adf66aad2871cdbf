// skiff-extract-bench LAYER... OUTPUT
// Flattens the given layer tarballs into one filesystem image (the code path of `skiff pull`
// and `skiff import`) and prints what it built and how long it took. Used by bench/extract.sh.

import OCI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 2 else {
    print("usage: skiff-extract-bench LAYER.tar[.gz|.zst]... OUTPUT.img")
    exit(2)
}
do {
    let layers = arguments.dropLast().map { LayerBlob(path: $0, mediaType: "") }
    let stats = try buildRootFilesystemImage(layers: Array(layers), to: arguments[arguments.count - 1])
    print("entries \(stats.entries)  content \(stats.bytes) bytes  image \(stats.imageBytes) bytes  \(stats.seconds) s")
} catch {
    print("skiff-extract-bench: \(error)")
    exit(1)
}
