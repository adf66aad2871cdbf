/// The cap on a container's writable layer (`skiff run --storage-opt size=`, docs/reliability.md),
/// kept by the overlay: what the upper layer's regular files hold, counted by their lengths (a
/// sparse file counts whole, a hard link once, directories, symlinks and whiteouts not at all).
/// A write that would take the total past the cap writes what fits, then fails with ENOSPC; a
/// copy-up of an image file that does not fit fails with ENOSPC; truncate beyond it gives EFBIG.
/// The count starts from what the layer held when the container started (the native side walks
/// it); a file removed while still open stops counting at once (Linux frees it at the last close).
public final class WritableLayerQuota {
    public let limit: UInt64
    public private(set) var used: UInt64

    public init(limit: UInt64, used: UInt64) {
        self.limit = limit
        self.used = used
    }

    var available: UInt64 { limit > used ? limit - used : 0 }

    /// How many of `count` bytes a write may write when it ends at `end` in a file of `size`
    /// bytes; ENOSPC when not one byte fits.
    func allowedBytes(_ count: Int, end: UInt64, size: UInt64) throws(Errno) -> Int {
        guard end > size else { return count }
        let growth = end - size
        if growth <= available { return count }
        let over = growth - available
        if UInt64(count) <= over { throw .ENOSPC }
        return count - Int(over)
    }

    /// Records that a file's length went from `old` to `new` bytes.
    func resized(from old: UInt64, to new: UInt64) {
        if new >= old { used &+= new - old } else { released(old - new) }
    }

    /// Takes `bytes` for a new file's contents (a copy-up), or ENOSPC.
    func reserve(_ bytes: UInt64) throws(Errno) {
        if bytes > available { throw .ENOSPC }
        used += bytes
    }

    func released(_ bytes: UInt64) { used = used > bytes ? used - bytes : 0 }
}
