// Helpers for the layer tests: writing tar layers with libarchive (so hostile names can be
// written verbatim), building images from them, and reading the resulting tree back.

import CArchive
import FSImage
import Foundation
@testable import OCI
import XCTest

struct TarEntry {
    enum Kind {
        case file([UInt8])
        case directory
        case symlink(String)
        case hardLink(String)
        case characterDevice(UInt32, UInt32)
        case blockDevice(UInt32, UInt32)
        case fifo
    }

    var path: String
    var kind: Kind
    var mode: UInt32 = 0o644
    var uid: Int64 = 0
    var gid: Int64 = 0
    var mtime: Int64 = 1_700_000_000
    var nanoseconds: Int = 0

    static func file(_ path: String, _ contents: String, mode: UInt32 = 0o644, uid: Int64 = 0, gid: Int64 = 0,
                     mtime: Int64 = 1_700_000_000, nanoseconds: Int = 0) -> TarEntry {
        TarEntry(path: path, kind: .file(Array(contents.utf8)), mode: mode, uid: uid, gid: gid, mtime: mtime, nanoseconds: nanoseconds)
    }

    static func dir(_ path: String, mode: UInt32 = 0o755, uid: Int64 = 0, gid: Int64 = 0, mtime: Int64 = 1_700_000_000) -> TarEntry {
        TarEntry(path: path, kind: .directory, mode: mode, uid: uid, gid: gid, mtime: mtime)
    }

    static func symlink(_ path: String, _ target: String, mtime: Int64 = 1_700_000_000) -> TarEntry {
        TarEntry(path: path, kind: .symlink(target), mode: 0o777, mtime: mtime)
    }

    static func hardLink(_ path: String, _ target: String) -> TarEntry {
        TarEntry(path: path, kind: .hardLink(target))
    }
}

enum TarFormat { case pax, gnu, ustar }
enum TarCompression { case none, gzip, zstd }

struct LayerTestError: Error, CustomStringConvertible { var description: String }

/// Writes `entries` verbatim (names are not cleaned) as a tar file.
func writeTar(_ entries: [TarEntry], to path: String, format: TarFormat = .pax, compression: TarCompression = .none) throws {
    guard let a = archive_write_new() else { throw LayerTestError(description: "archive_write_new") }
    defer { archive_write_free(a) }
    switch format {
    case .pax: archive_write_set_format_pax(a)
    case .gnu: archive_write_set_format_gnutar(a)
    case .ustar: archive_write_set_format_ustar(a)
    }
    switch compression {
    case .none: archive_write_add_filter_none(a)
    case .gzip: archive_write_add_filter_gzip(a)
    case .zstd: archive_write_add_filter_zstd(a)
    }
    guard archive_write_open_filename(a, path) == ARCHIVE_OK else {
        throw LayerTestError(description: String(cString: archive_error_string(a)))
    }
    for t in entries {
        let e = archive_entry_new()!
        defer { archive_entry_free(e) }
        archive_entry_set_pathname(e, t.path)
        archive_entry_set_perm(e, mode_t(t.mode))
        archive_entry_set_uid(e, t.uid)
        archive_entry_set_gid(e, t.gid)
        archive_entry_set_mtime(e, time_t(t.mtime), t.nanoseconds)
        var data: [UInt8] = []
        switch t.kind {
        case .file(let bytes):
            archive_entry_set_filetype(e, 0o100000)
            archive_entry_set_size(e, la_int64_t(bytes.count))
            data = bytes
        case .directory:
            archive_entry_set_filetype(e, 0o040000)
        case .symlink(let target):
            archive_entry_set_filetype(e, 0o120000)
            archive_entry_set_symlink(e, target)
        case .hardLink(let target):
            archive_entry_set_filetype(e, 0o100000)
            archive_entry_set_hardlink(e, target)
            archive_entry_set_size(e, 0)
        case .characterDevice(let major, let minor):
            archive_entry_set_filetype(e, 0o020000)
            archive_entry_set_rdevmajor(e, dev_t(major))
            archive_entry_set_rdevminor(e, dev_t(minor))
        case .blockDevice(let major, let minor):
            archive_entry_set_filetype(e, 0o060000)
            archive_entry_set_rdevmajor(e, dev_t(major))
            archive_entry_set_rdevminor(e, dev_t(minor))
        case .fifo:
            archive_entry_set_filetype(e, 0o010000)
        }
        guard archive_write_header(a, e) >= ARCHIVE_WARN else {
            throw LayerTestError(description: "write header \(t.path): " + String(cString: archive_error_string(a)))
        }
        if !data.isEmpty {
            let n = data.withUnsafeBytes { archive_write_data(a, $0.baseAddress, $0.count) }
            guard n == data.count else { throw LayerTestError(description: "write data \(t.path)") }
        }
    }
    guard archive_write_close(a) == ARCHIVE_OK else {
        throw LayerTestError(description: String(cString: archive_error_string(a)))
    }
}

/// A scratch directory per test, removed afterwards.
final class LayerScratch {
    let directory: String
    private var count = 0

    init() throws {
        directory = NSTemporaryDirectory() + "skiff-layers-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// Writes a layer and returns it as a blob.
    func layer(_ entries: [TarEntry], format: TarFormat = .pax, compression: TarCompression = .none,
               mediaType: String = "application/vnd.oci.image.layer.v1.tar") throws -> LayerBlob {
        count += 1
        let path = "\(directory)/layer\(count).tar"
        try writeTar(entries, to: path, format: format, compression: compression)
        return LayerBlob(path: path, mediaType: mediaType)
    }

    var imagePath: String { "\(directory)/rootfs.img" }

    /// Everything in the scratch directory besides the layers.
    func leftovers() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { !$0.hasPrefix("layer") }.sorted()
    }
}

/// The tree of an image as path -> inode, paths absolute ("/" for the root).
func imageTree(_ r: FSImageReader) throws -> [String: FSImageInode] {
    var result: [String: FSImageInode] = [:]
    func visit(_ number: UInt32, _ path: String) throws {
        let node = try r.inode(number)
        result[path] = node
        guard node.type == .directory else { return }
        var children: [(String, UInt32)] = []
        try r.readDirectory(node, from: 2) { e in
            children.append((String(decoding: e.name, as: UTF8.self), e.inode))
            return true
        }
        for (name, child) in children { try visit(child, path == "/" ? "/" + name : path + "/" + name) }
    }
    try visit(r.rootInode, "/")
    return result
}

extension FSImageReader {
    func contentsString(_ node: FSImageInode) throws -> String {
        String(decoding: try contents(of: node), as: UTF8.self)
    }
    func target(_ node: FSImageInode) throws -> String {
        String(decoding: try readlink(node), as: UTF8.self)
    }
}

/// Builds the image from `layers`, validates it, and hands the tree to `body`.
@discardableResult
func flatten(_ layers: [LayerBlob], scratch: LayerScratch,
             _ body: (FSImageReader, [String: FSImageInode]) throws -> Void = { _, _ in }) throws -> RootFilesystemStats {
    let stats = try buildRootFilesystemImage(layers: layers, to: scratch.imagePath)
    let image = try MappedFilesystemImage(path: scratch.imagePath)
    try image.reader.validate()
    try body(image.reader, try imageTree(image.reader))
    return stats
}

/// Asserts that building fails with an error mentioning `fragment`, and leaves nothing behind.
func assertRejected(_ layers: [LayerBlob], scratch: LayerScratch, mentioning fragment: String,
                    file: StaticString = #filePath, line: UInt = #line) throws {
    do {
        try buildRootFilesystemImage(layers: layers, to: scratch.imagePath)
        XCTFail("hostile layer accepted; expected an error mentioning '\(fragment)'", file: file, line: line)
    } catch let error as LayerError {
        XCTAssertTrue(error.description.contains(fragment), "error '\(error.description)' lacks '\(fragment)'", file: file, line: line)
    }
    XCTAssertEqual(try scratch.leftovers(), [], "files left behind", file: file, line: line)
}
