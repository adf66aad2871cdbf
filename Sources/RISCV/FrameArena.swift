// Guest frames from one shared-memory file (an experiment, `SKIFF_JIT_DIRECT=1`, native hosts
// only): every frame is a page of one tmpfs file, mapped read-write at `base + offset` for the
// kernel and the interpreters, so that the native tier can map the same page a second time at
// its guest address in a per-address-space reservation (`DirectMemory` in X86Native) and let
// compiled code access guest memory with one `mov`. Reference counts live beside the file (a
// frame is exactly one page). Freed frames are kept for reuse and zeroed when handed out again.
#if canImport(Glibc)
import Glibc

package final class FrameArena {
    package static let shared: FrameArena? = {
        guard let v = getenv("SKIFF_JIT_DIRECT"), String(cString: v) == "1" else { return nil }
        return FrameArena()
    }()

    /// Host address space reserved for frames (the file grows into it `chunk` bytes at a time).
    static let capacity = 64 << 30
    static let chunk = 64 << 20
    static let pageSize = Int(GuestMemory.pageSize)

    package let fd: Int32
    package let base: UnsafeMutableRawPointer
    private var committed = 0
    private var next = 0
    private var free: [Int32] = []
    private let counts: UnsafeMutablePointer<Int32>

    private init?() {
        let name = "/skiff-frames-\(getpid())"
        let fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0o600)
        if fd < 0 { return nil }
        shm_unlink(name)
        guard let b = mmap(nil, FrameArena.capacity, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
              b != MAP_FAILED,
              let c = mmap(nil, FrameArena.capacity / FrameArena.pageSize * 4, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
              c != MAP_FAILED
        else { close(fd); return nil }
        self.fd = fd
        base = b
        counts = c.bindMemory(to: Int32.self, capacity: FrameArena.capacity / FrameArena.pageSize)
    }

    @inline(__always) package func contains(_ p: UnsafeRawPointer) -> Bool {
        UInt(bitPattern: p) &- UInt(bitPattern: base) < UInt(FrameArena.capacity)
    }

    /// The frame's page number in the file.
    @inline(__always) func index(_ p: UnsafeRawPointer) -> Int {
        (Int(bitPattern: p) - Int(bitPattern: base)) >> 12
    }

    /// A frame with a reference count of one, zeroed unless `zeroed` is false (for a copy, which
    /// overwrites it whole; a frame never used before is zero either way).
    func allocate(zeroed: Bool = true) -> UnsafeMutableRawPointer {
        let i: Int
        if let f = free.popLast() {
            i = Int(f)
            if zeroed {
                (base + i * FrameArena.pageSize).initializeMemory(as: UInt8.self, repeating: 0, count: FrameArena.pageSize)
            }
        } else {
            i = next
            next += 1
            if next * FrameArena.pageSize > committed { grow() }
        }
        counts[i] = 1
        return base + i * FrameArena.pageSize
    }

    private func grow() {
        let end = committed + FrameArena.chunk
        guard end <= FrameArena.capacity, ftruncate(fd, off_t(end)) == 0,
              mmap(base + committed, FrameArena.chunk, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, off_t(committed)) != MAP_FAILED
        else { fatalError("out of memory: the frame file cannot grow past \(committed >> 20) MiB") }
        committed = end
    }

    @inline(__always) func referenceCount(_ p: UnsafeMutableRawPointer) -> Int { Int(counts[index(p)]) }
    @inline(__always) func retain(_ p: UnsafeMutableRawPointer) { counts[index(p)] += 1 }

    /// Drops a reference; true when it was the last (the frame is free again).
    func release(_ p: UnsafeMutableRawPointer) -> Bool {
        let i = index(p)
        counts[i] -= 1
        if counts[i] > 0 { return false }
        free.append(Int32(i))
        return true
    }
}
#endif
