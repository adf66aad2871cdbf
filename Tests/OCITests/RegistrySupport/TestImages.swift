// Test images built from real trees: layers made by GNU tar from the fixture busybox root (and
// a small upper layer that deletes and replaces files of it), assembled into an OCI image layout
// that skopeo pushes to the registry or skiff imports.

import Foundation
@testable import OCI

struct LayoutImage {
    var manifestDigest: Digest
    var manifestBytes: [UInt8]
    var layers: [Descriptor]
    var platform: Platform
}

/// Writes blobs, manifests and `index.json` of an OCI image layout directory.
final class LayoutWriter {
    let directory: String
    private(set) var entries: [Descriptor] = []

    init(_ directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory + "/blobs/sha256", withIntermediateDirectories: true)
        try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: URL(fileURLWithPath: directory + "/oci-layout"))
    }

    @discardableResult
    func blob(_ bytes: [UInt8], mediaType: String) throws -> Descriptor {
        let d = Digest.sha256(of: bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: "\(directory)/blobs/sha256/\(d.encoded)"))
        return Descriptor(mediaType: mediaType, digest: d, size: Int64(bytes.count))
    }

    func blob(file: String, mediaType: String) throws -> Descriptor {
        try blob(Array(try Data(contentsOf: URL(fileURLWithPath: file))), mediaType: mediaType)
    }

    /// An image of `layers` (tar files, lowest first) for `platform`.
    func image(layers: [(file: String, mediaType: String)], platform: Platform = .linuxRISCV64,
               cmd: [String] = ["/bin/sh"]) throws -> LayoutImage {
        var descriptors: [Descriptor] = []
        var diffIDs: [Digest] = []
        for layer in layers {
            descriptors.append(try blob(file: layer.file, mediaType: layer.mediaType))
            diffIDs.append(try decompressedDigest(of: layer.file))
        }
        let config = ImageConfiguration(platform: platform,
                                        config: .init(Env: ["PATH=/bin:/usr/bin"], Cmd: cmd, WorkingDir: "/",
                                                      Labels: ["org.skiff.test": "yes"]),
                                        diffIDs: diffIDs, created: "2026-01-01T00:00:00Z")
        let configDescriptor = try blob(try JSON.encode(config), mediaType: MediaType.ociConfig)
        let manifest = Manifest(mediaType: MediaType.ociManifest, config: configDescriptor, layers: descriptors)
        let bytes = try JSON.encode(manifest)
        let d = try blob(bytes, mediaType: MediaType.ociManifest)
        return LayoutImage(manifestDigest: d.digest, manifestBytes: bytes, layers: descriptors, platform: platform)
    }

    /// Lists `image` in index.json under `tag`.
    func add(_ image: LayoutImage, tag: String, name: String? = nil) throws {
        var annotations = ["org.opencontainers.image.ref.name": tag]
        if let name { annotations["io.containerd.image.name"] = name }
        entries.append(Descriptor(mediaType: MediaType.ociManifest, digest: image.manifestDigest,
                                  size: Int64(image.manifestBytes.count), annotations: annotations, platform: image.platform))
        try writeIndex()
    }

    /// Lists a multi-platform index of `images` under `tag`; returns the index digest.
    @discardableResult
    func addIndex(_ images: [LayoutImage], tag: String) throws -> Digest {
        let manifests = images.map {
            Descriptor(mediaType: MediaType.ociManifest, digest: $0.manifestDigest, size: Int64($0.manifestBytes.count),
                       platform: $0.platform)
        }
        let bytes = try JSON.encode(ImageIndex(manifests: manifests))
        var d = try blob(bytes, mediaType: MediaType.ociIndex)
        d.annotations = ["org.opencontainers.image.ref.name": tag]
        entries.append(d)
        try writeIndex()
        return d.digest
    }

    private func writeIndex() throws {
        try Data(try JSON.encode(ImageIndex(manifests: entries))).write(to: URL(fileURLWithPath: directory + "/index.json"))
    }
}

/// `tar` of `root` (sorted, owned by root), compressed with `compression` ("", "--gzip", "--zstd").
func makeTarLayer(of root: String, to file: String, compression: String = "--gzip") throws {
    let tar = try requireTool("tar", package: "tar")
    var args = ["--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--format=pax", "-C", root, "-cf", file]
    if !compression.isEmpty { args.insert(compression, at: 0) }
    try runTool(tar, args + ["."])
}

/// An upper layer over the busybox fixture: deletes bin/cat (whiteout), replaces bin/echo with
/// a regular file, adds etc/motd, and makes etc opaque-free additions.
func makeUpperLayerTree(in dir: String) throws {
    let fm = FileManager.default
    try fm.createDirectory(atPath: dir + "/bin", withIntermediateDirectories: true)
    try fm.createDirectory(atPath: dir + "/etc", withIntermediateDirectories: true)
    fm.createFile(atPath: dir + "/bin/.wh.cat", contents: Data())
    try Data("#!/bin/sh\necho replaced\n".utf8).write(to: URL(fileURLWithPath: dir + "/bin/echo"))
    try Data("hello from the upper layer\n".utf8).write(to: URL(fileURLWithPath: dir + "/etc/motd"))
}

/// Test-speed registry options: plain HTTP (127.0.0.1 anyway), short backoff.
func testRegistryOptions(credentials: Credentials? = nil) -> RegistryOptions {
    var o = RegistryOptions()
    o.retryDelay = .milliseconds(5)
    o.maxAttempts = 4
    o.credentials = credentials
    return o
}

/// A credential store that reads only the test's own files (never the user's ~/.docker).
func isolatedCredentials(_ scratch: Scratch) -> CredentialStore {
    CredentialStore(skiffPath: scratch.path + "/skiff-auth.json", dockerPath: scratch.path + "/docker/config.json")
}

extension ImageStore {
    /// Everything on disk under the store's blobs/, tmp/ and rootfs/, for "nothing left behind" checks.
    var contentsOnDisk: [String] {
        ["blobs/sha256", "tmp", "rootfs"].flatMap { sub in
            ((try? FileManager.default.contentsOfDirectory(atPath: root + "/" + sub)) ?? []).map { sub + "/" + $0 }
        }.sorted()
    }
}
