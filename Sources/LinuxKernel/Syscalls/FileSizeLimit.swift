/// RLIMIT_FSIZE, the largest file a process may make, with Linux's semantics (mm/filemap.c
/// `generic_write_check_limits`, fs/attr.c `inode_newsize_ok`). Only regular files are limited
/// (on disk, tmpfs, memfd); pipes, sockets, terminals and devices are not. The soft limit counts.
/// - A write starting at or past the limit sends SIGXFSZ to the writing thread and fails with
///   EFBIG; one that crosses it is shortened to end at the limit, without a signal; an empty one
///   is left alone. Every write path asks `fileSizeRoom`: write, pwrite, writev, pwritev
///   (`writeGathered`), sendfile and splice into a file (`writeBuffer`: Linux's splice writes go
///   on until all is written, so a shortened one also raises SIGXFSZ), copy_file_range (shortened
///   before it starts, no signal; refused at the limit even when it would copy nothing). A store
///   through a shared mapping cannot grow a file, so it needs no check.
/// - truncate, ftruncate and fallocate growing a file past the limit (to a length above it; the
///   limit itself is allowed) send SIGXFSZ and fail with EFBIG; shrinking is never refused.
/// SIGXFSZ's default action ends the process with a core dump status (a shell shows 128+25).
extension Kernel {
    static let fileSizeLimitResource = 1   // RLIMIT_FSIZE

    /// How many bytes a write to `d` may still put before RLIMIT_FSIZE, nil when nothing limits
    /// it; a write that would start at or past the limit gets SIGXFSZ and EFBIG. The write starts
    /// at `offset`, or at the description's position when nil, or at the end of the file with
    /// O_APPEND (Linux appends even for pwrite then).
    func fileSizeRoom(_ t: Task, _ d: FileDescription, offset: Int64?) throws(Errno) -> UInt64? {
        let limit = t.process.limits[Kernel.fileSizeLimitResource].0
        if limit == Process.unlimited || d.isByteStream { return nil }
        guard let st = try? d.stat(), st.isRegular else { return nil }
        let start: Int64
        if d.flags & LinuxOpenFlags.append != 0 {
            start = st.size
        } else if let offset {
            start = offset
        } else {
            start = (try? d.seek(offset: 0, whence: 1)) ?? 0
        }
        let position = UInt64(clamping: start)
        if position >= limit { throw fileTooLarge(t) }
        return limit - position
    }

    /// `count` shortened to what RLIMIT_FSIZE lets a write to `d` take (`fileSizeRoom`); an empty
    /// write is never refused.
    func bytesUnderFileSizeLimit(_ t: Task, _ d: FileDescription, count: Int, offset: Int64?) throws(Errno) -> Int {
        if count == 0 { return 0 }
        guard let room = try fileSizeRoom(t, d, offset: offset) else { return count }
        return Int(clamping: min(UInt64(count), room))
    }

    /// Refuses to make the regular file `d` longer than `length` when that passes RLIMIT_FSIZE.
    func checkFileSizeLimit(_ t: Task, _ d: FileDescription, growingTo length: Int64) throws(Errno) {
        let limit = t.process.limits[Kernel.fileSizeLimitResource].0
        if limit == Process.unlimited || UInt64(clamping: length) <= limit { return }
        guard let st = try? d.stat(), st.isRegular, length > st.size else { return }
        throw fileTooLarge(t)
    }

    /// SIGXFSZ to the thread (as Linux's `send_sig`: SI_USER from the process itself), and the error.
    func fileTooLarge(_ t: Task) -> Errno {
        sendSignal(to: t, SignalInfo(signo: Signal.SIGXFSZ, code: 0, senderPID: t.process.pid,
                                     senderUID: t.process.credentials.uid))
        return .EFBIG
    }
}
