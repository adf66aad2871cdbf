/// Byte images of `struct stat` (asm-generic, 128 bytes), `struct statx` (256 bytes) and
/// `struct statfs` (riscv64, 120 bytes).
enum StatLayout {
    static func stat(_ s: FileStat, for architecture: Architecture) -> [UInt8] {
        if architecture == .x86_64 { return statX86_64(s) }
        var w = ByteWriter(capacity: 128)
        w.u64(s.device)
        w.u64(s.inode)
        w.u32(s.mode)
        w.u32(s.linkCount)
        w.u32(s.uid)
        w.u32(s.gid)
        w.u64(s.rdev)
        w.u64(0)
        w.i64(s.size)
        w.i32(s.blockSize)
        w.i32(0)
        w.i64(s.blocks)
        w.i64(s.accessTime.seconds); w.u64(UInt64(s.accessTime.nanoseconds))
        w.i64(s.modificationTime.seconds); w.u64(UInt64(s.modificationTime.nanoseconds))
        w.i64(s.changeTime.seconds); w.u64(UInt64(s.changeTime.nanoseconds))
        w.u32(0); w.u32(0)
        return w.bytes
    }

    /// x86-64's `struct stat` (144 bytes: st_nlink is 64 bits and comes before st_mode).
    static func statX86_64(_ s: FileStat) -> [UInt8] {
        var w = ByteWriter(capacity: 144)
        w.u64(s.device)
        w.u64(s.inode)
        w.u64(UInt64(s.linkCount))
        w.u32(s.mode)
        w.u32(s.uid)
        w.u32(s.gid)
        w.u32(0)
        w.u64(s.rdev)
        w.i64(s.size)
        w.i64(Int64(s.blockSize))
        w.i64(s.blocks)
        w.i64(s.accessTime.seconds); w.u64(UInt64(s.accessTime.nanoseconds))
        w.i64(s.modificationTime.seconds); w.u64(UInt64(s.modificationTime.nanoseconds))
        w.i64(s.changeTime.seconds); w.u64(UInt64(s.changeTime.nanoseconds))
        w.zeros(24)
        return w.bytes
    }

    static let statxBasicStats: UInt32 = 0x7ff

    static func statx(_ s: FileStat, mountID: UInt64) -> [UInt8] {
        var w = ByteWriter(capacity: 256)
        w.u32(statxBasicStats | 0x1000)   // STATX_BASIC_STATS | STATX_MNT_ID
        w.u32(UInt32(bitPattern: s.blockSize))
        w.u64(0)                          // attributes
        w.u32(s.linkCount)
        w.u32(s.uid)
        w.u32(s.gid)
        w.u16(UInt16(truncatingIfNeeded: s.mode))
        w.u16(0)
        w.u64(s.inode)
        w.u64(UInt64(bitPattern: s.size))
        w.u64(UInt64(bitPattern: s.blocks))
        w.u64(0)                          // attributes_mask
        func time(_ t: Timespec) { w.i64(t.seconds); w.u32(UInt32(t.nanoseconds)); w.i32(0) }
        time(s.accessTime)
        time(.zero)                       // btime (not in the mask)
        time(s.changeTime)
        time(s.modificationTime)
        w.u32(deviceMajor(s.rdev)); w.u32(deviceMinor(s.rdev))
        w.u32(deviceMajor(s.device)); w.u32(deviceMinor(s.device))
        w.u64(mountID)
        w.zeros(256 - w.bytes.count)
        return w.bytes
    }

    static func statfs(_ s: FileSystemStat) -> [UInt8] {
        var w = ByteWriter(capacity: 120)
        w.i64(s.type)
        w.i64(s.blockSize)
        w.u64(s.blocks)
        w.u64(s.freeBlocks)
        w.u64(s.availableBlocks)
        w.u64(s.files)
        w.u64(s.freeFiles)
        w.u64(0)                          // f_fsid
        w.i64(s.nameLength)
        w.i64(s.fragmentSize)
        w.i64(s.flags)
        w.zeros(120 - w.bytes.count)
        return w.bytes
    }
}
