// The filesystem image reader (`.skfs`, docs/fs-image-format.md) on corrupt images: opening,
// validating and reading everything must give FSImageError, never a read outside the buffer
// (the address sanitizer watches), and an image that passes `validate()` must read completely.
// The same bytes are also opened as a split image (tables in memory, contents read on demand).
@testable import FSImage

final class BufferContents: FSImageContentSource {
    let image: UnsafeRawBufferPointer
    init(_ image: UnsafeRawBufferPointer) { self.image = image }
    func readImage(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) -> Bool {
        guard offset <= UInt64(image.count), UInt64(buffer.count) <= UInt64(image.count) - offset else { return false }
        buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: image[Int(offset)..<Int(offset) + buffer.count]))
        return true
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFSImage(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    // An exact-size allocation, so that the sanitizer sees any byte read past the end.
    let image = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, 1), alignment: 16)
    defer { image.deallocate() }
    if let data, size > 0 { image.copyMemory(from: UnsafeRawBufferPointer(start: data, count: size)) }
    let bytes = UnsafeRawBufferPointer(rebasing: image[0..<size])
    if let reader = try? FSImageReader(bytes) {
        var valid = true
        do { try reader.validate() } catch { valid = false }
        do { _ = try walkImage(reader) } catch {
            invariant(!valid, "a validated image fails to read: \(error)")
        }
        _ = try? reader.resolve("/etc/passwd")
        _ = try? reader.resolve("usr/bin/../bin/env")
        // Split: the header, then the tables from where they start.
        let tablesOffset = reader.tablesOffset
        if tablesOffset <= UInt64(size), size >= Int(FSImageLayout.headerSize) {
            let header = UnsafeRawBufferPointer(rebasing: bytes[0..<Int(FSImageLayout.headerSize)])
            let tables = UnsafeRawBufferPointer(rebasing: bytes[Int(tablesOffset)...])
            if let split = try? FSImageReader(header: header, tables: tables, tablesOffset: tablesOffset,
                                               contents: BufferContents(bytes)) {
                do { _ = try walkImage(split) } catch {
                    invariant(!valid, "a validated image fails to read split: \(error)")
                }
            }
        }
    }
    return 0
}

/// Seeds: images made by FSImageBuilder, with every file type, hard links and a 512-byte page.
func fuzzSeeds() -> [(name: String, bytes: [UInt8])] {
    func image(pageSize: UInt32, _ body: (FSImageBuilder) throws(FSImageError) -> Void) -> [UInt8] {
        let sink = FSImageMemorySink()
        do {
            let b = try FSImageBuilder(sink: sink, pageSize: pageSize)
            try body(b)
            _ = try b.finish()
        } catch { fatalError("seed image: \(error)") }
        return sink.bytes
    }
    let a = FSImageAttributes(permissions: 0o644, uid: 1000, gid: 1000, mtimeSeconds: 1_700_000_000)
    let tree = image(pageSize: 512) { (b) throws(FSImageError) in
        let etc = b.makeDirectory(FSImageAttributes(permissions: 0o755))
        try b.link(etc, as: Array("etc".utf8), in: b.root)
        let passwd = try b.makeRegularFile(a, contents: Array("root:x:0:0:root:/root:/bin/sh\n".utf8))
        try b.link(passwd, as: Array("passwd".utf8), in: etc)
        try b.link(passwd, as: Array("passwd-".utf8), in: etc)
        try b.link(b.makeSymlink(target: Array("/etc/passwd".utf8), a), as: Array("link".utf8), in: b.root)
        try b.link(try b.makeSpecialFile(.characterDevice, major: 1, minor: 3, a), as: Array("null".utf8), in: b.root)
        try b.link(try b.makeSpecialFile(.fifo, a), as: Array("fifo".utf8), in: b.root)
        let usr = b.makeDirectory(FSImageAttributes(permissions: 0o755))
        try b.link(usr, as: Array("usr".utf8), in: b.root)
        let big = [UInt8](repeating: 0x5a, count: 1500)
        try b.link(try b.makeRegularFile(a, contents: big), as: Array("big".utf8), in: usr)
    }
    let empty = image(pageSize: 4096) { (_: FSImageBuilder) throws(FSImageError) in }
    return [("tree.skfs", tree), ("empty.skfs", empty)]
}
