// The C functions of wasi_shim.c, as Swift sees them. Each returns >= 0 on success or a negated
// Linux errno; sizes are `Int` (size_t is 32-bit on wasm32, as is Swift's Int there).

@_extern(c, "skiff_wasi_open")
func wasiOpen(_ directory: Int32, _ path: UnsafePointer<UInt8>, _ flags: Int32, _ mode: UInt32) -> Int32
@_extern(c, "skiff_wasi_preopen")
func wasiPreopen(_ index: Int32, _ name: UnsafeMutablePointer<UInt8>, _ size: Int) -> Int32
@_extern(c, "skiff_wasi_close")
func wasiClose(_ fd: Int32) -> Int32
@_extern(c, "skiff_wasi_read")
func wasiRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int64
@_extern(c, "skiff_wasi_write")
func wasiWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int64
@_extern(c, "skiff_wasi_pread")
func wasiPread(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int, _ offset: Int64) -> Int64
@_extern(c, "skiff_wasi_pwrite")
func wasiPwrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int, _ offset: Int64) -> Int64
@_extern(c, "skiff_wasi_seek")
func wasiSeek(_ fd: Int32, _ offset: Int64, _ whence: Int32) -> Int64

@_extern(c, "skiff_wasi_stat_count")
func wasiStatCount() -> Int32
@_extern(c, "skiff_wasi_fstat")
func wasiFstat(_ fd: Int32, _ out: UnsafeMutablePointer<Int64>) -> Int32
@_extern(c, "skiff_wasi_fstatat")
func wasiFstatat(_ directory: Int32, _ path: UnsafePointer<UInt8>, _ follow: Int32, _ out: UnsafeMutablePointer<Int64>) -> Int32
@_extern(c, "skiff_wasi_readlink")
func wasiReadlink(_ directory: Int32, _ path: UnsafePointer<UInt8>, _ buffer: UnsafeMutablePointer<UInt8>, _ size: Int) -> Int64
@_extern(c, "skiff_wasi_access")
func wasiAccess(_ directory: Int32, _ path: UnsafePointer<UInt8>, _ mode: Int32) -> Int32
@_extern(c, "skiff_wasi_set_times_at")
func wasiSetTimesAt(_ directory: Int32, _ path: UnsafePointer<UInt8>, _ accessSeconds: Int64, _ accessNanoseconds: Int64,
                    _ modificationSeconds: Int64, _ modificationNanoseconds: Int64, _ follow: Int32) -> Int32
@_extern(c, "skiff_wasi_set_times")
func wasiSetTimes(_ fd: Int32, _ accessSeconds: Int64, _ accessNanoseconds: Int64,
                  _ modificationSeconds: Int64, _ modificationNanoseconds: Int64) -> Int32
@_extern(c, "skiff_wasi_truncate")
func wasiTruncate(_ fd: Int32, _ length: Int64) -> Int32
@_extern(c, "skiff_wasi_sync")
func wasiSync(_ fd: Int32, _ dataOnly: Int32) -> Int32

@_extern(c, "skiff_wasi_mkdir")
func wasiMkdir(_ directory: Int32, _ path: UnsafePointer<UInt8>, _ mode: UInt32) -> Int32
@_extern(c, "skiff_wasi_unlink")
func wasiUnlink(_ directory: Int32, _ path: UnsafePointer<UInt8>, _ isDirectory: Int32) -> Int32
@_extern(c, "skiff_wasi_rename")
func wasiRename(_ oldDirectory: Int32, _ oldPath: UnsafePointer<UInt8>, _ newDirectory: Int32, _ newPath: UnsafePointer<UInt8>) -> Int32
@_extern(c, "skiff_wasi_link")
func wasiLink(_ oldDirectory: Int32, _ oldPath: UnsafePointer<UInt8>, _ newDirectory: Int32, _ newPath: UnsafePointer<UInt8>) -> Int32
@_extern(c, "skiff_wasi_symlink")
func wasiSymlink(_ target: UnsafePointer<UInt8>, _ directory: Int32, _ path: UnsafePointer<UInt8>) -> Int32
@_extern(c, "skiff_wasi_read_directory")
func wasiReadDirectory(_ fd: Int32, _ cookie: UnsafeMutablePointer<UInt64>, _ out: UnsafeMutablePointer<UInt8>, _ size: Int) -> Int64
@_extern(c, "skiff_wasi_bytes_available")
func wasiBytesAvailable(_ fd: Int32) -> Int64

@_extern(c, "skiff_wasi_find_listener")
func wasiFindListener() -> Int32
@_extern(c, "skiff_wasi_accept")
func wasiAccept(_ fd: Int32) -> Int32
@_extern(c, "skiff_wasi_shutdown")
func wasiShutdown(_ fd: Int32, _ how: Int32) -> Int32

@_extern(c, "skiff_wasi_clock")
func wasiClock(_ which: Int32) -> Int64
@_extern(c, "skiff_wasi_poll")
func wasiPoll(_ fds: UnsafePointer<Int32>, _ events: UnsafePointer<Int16>, _ returnedEvents: UnsafeMutablePointer<Int16>,
              _ count: Int32, _ timeout: Int64) -> Int32
@_extern(c, "skiff_wasi_random")
func wasiRandom(_ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int32
@_extern(c, "skiff_wasi_isatty")
func wasiIsatty(_ fd: Int32) -> Int32
@_extern(c, "skiff_wasi_memory_size")
func wasiMemorySize() -> UInt64
@_extern(c, "skiff_wasi_exit")
func wasiExit(_ status: Int32)

/// Indices into the flat stat record `wasiFstat`/`wasiFstatat` fill (wasi_shim.c's ST_* enum).
enum WasiStatField {
    static let device = 0, inode = 1, mode = 2, linkCount = 3, uid = 4, gid = 5, rdev = 6, size = 7
    static let blockSize = 8, blocks = 9, accessTime = 10, modificationTime = 12, changeTime = 14
    static let count = 16
}

@_extern(c, "skiff_wasi_environ_count")
func wasiEnvironCount() -> Int32
@_extern(c, "skiff_wasi_environ_entry")
func wasiEnvironEntry(_ index: Int32) -> UnsafePointer<UInt8>
