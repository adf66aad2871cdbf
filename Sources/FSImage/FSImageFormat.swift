// On-disk layout of a Skiff filesystem image (docs/fs-image-format.md): constants, field offsets
// and the little-endian encoding shared by the reader and the builder.

enum FSImageLayout {
    /// "SKIFF-FS"
    static let magic: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
        (0x53, 0x4B, 0x49, 0x46, 0x46, 0x2D, 0x46, 0x53)
    static let version: UInt32 = 1
    static let headerSize: UInt64 = 128
    static let defaultPageSize: UInt32 = 4096
    static let rootInode: UInt32 = 1
    static let inodeSize: UInt64 = 64
    static let direntSize: UInt64 = 16
    static let maxNameLength = 255
    /// Reported as a directory's size.
    static let directorySize: UInt64 = 4096

    // Header field offsets.
    enum Header {
        static let version = 8, headerSize = 12, pageSize = 16, flags = 20, imageSize = 24
        static let inodeCount = 32, rootInode = 36, inodeTableOffset = 40
        static let direntCount = 48, direntTableOffset = 56
        static let namesSize = 64, namesOffset = 72, dataOffset = 80, dataSize = 88
        static let contentBytes = 96
    }
    // Inode field offsets.
    enum Inode {
        static let mode = 0, uid = 4, gid = 8, nlink = 12, size = 16, mtimeSeconds = 24
        static let mtimeNanoseconds = 32, parent = 36, location = 40, entryCount = 48
        static let rdevMajor = 52, rdevMinor = 56
    }
    // Directory entry field offsets.
    enum Dirent {
        static let inode = 0, nameOffset = 4, nameLength = 8, type = 10
    }
}

/// `offset ..< offset + length` lies within `0 ..< limit`, without overflow.
@inline(__always)
func fsImageRangeFits(_ offset: UInt64, _ length: UInt64, within limit: UInt64) -> Bool {
    offset <= limit && length <= limit - offset
}

/// Unsigned byte-wise ordering of names: negative, zero or positive like memcmp, a proper prefix first.
@inline(__always)
func fsImageCompareNames(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
    let n = a.count < b.count ? a.count : b.count
    var i = 0
    while i < n {
        let x = a[i], y = b[i]
        if x != y { return x < y ? -1 : 1 }
        i += 1
    }
    return a.count - b.count
}

/// A name may be stored in a directory: 1...255 bytes, no "/" or NUL, not "." or "..".
func fsImageIsValidName(_ name: UnsafeRawBufferPointer) -> Bool {
    if name.count == 0 || name.count > FSImageLayout.maxNameLength { return false }
    if name.count == 1 && name[0] == 0x2E { return false }
    if name.count == 2 && name[0] == 0x2E && name[1] == 0x2E { return false }
    for b in name where b == 0x2F || b == 0 { return false }
    return true
}

/// Little-endian field writes into a byte array (the builder's tables).
extension Array where Element == UInt8 {
    @inline(__always)
    mutating func putLE<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        var v = value.littleEndian
        Swift.withUnsafeBytes(of: &v) { src in
            self.withUnsafeMutableBytes { dst in
                dst.baseAddress!.advanced(by: offset).copyMemory(from: src.baseAddress!, byteCount: src.count)
            }
        }
    }
}

/// Runs `body` on the UTF-8 bytes of `string`, keeping the typed error (String.withUTF8 rethrows untyped).
func fsImageWithUTF8<R>(_ string: String, _ body: (UnsafeRawBufferPointer) throws(FSImageError) -> R) throws(FSImageError) -> R {
    var string = string
    let result: Result<R, FSImageError> = string.withUTF8 { utf8 in
        do throws(FSImageError) { return .success(try body(UnsafeRawBufferPointer(utf8))) } catch { return .failure(error) }
    }
    return try result.get()
}

/// Runs `body` on the bytes of `array`, keeping the typed error (withUnsafeBytes rethrows untyped).
func fsImageWithBytes<R>(_ array: [UInt8], _ body: (UnsafeRawBufferPointer) throws(FSImageError) -> R) throws(FSImageError) -> R {
    let result: Result<R, FSImageError> = array.withUnsafeBytes { bytes in
        do throws(FSImageError) { return .success(try body(bytes)) } catch { return .failure(error) }
    }
    return try result.get()
}
