#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

/// A container's resource limits (`skiff run --memory`, `--pids-limit`), as cgroups give docker:
/// - memory: the guest's resident memory (host frames behind its pages, counted once however
///   many address spaces share them). A request for private memory (anonymous or private
///   writable mmap, brk) that cannot fit beside what is resident fails with ENOMEM; when touching
///   pages takes the resident memory over the limit anyway, the process running is killed with
///   SIGKILL (the OOM killer; a container whose first process dies so exits with 137).
/// - tasks: threads and processes alive at once; clone/fork beyond it fail with EAGAIN.
/// Memory the kernel itself holds for the guest (tmpfs files, pipe buffers) is not counted.
public struct ResourceLimits {
    /// Bytes; nil for no limit.
    public var memory: UInt64?
    /// Tasks (threads of every process); nil for no limit.
    public var tasks: Int?
    public init() {}
}

extension Kernel {
    /// ENOMEM unless `bytes` more of private memory fit under the memory limit.
    func reserveMemory(_ bytes: UInt64) throws(Errno) {
        guard let limit = configuration.limits.memory else { return }
        if GuestMemory.residentBytes &+ bytes > limit || bytes > limit { throw .ENOMEM }
    }

    /// The OOM killer: after `task` ran, kills its process if the guest is over its memory limit.
    func enforceMemoryLimit(_ task: Task) {
        guard let limit = configuration.limits.memory, GuestMemory.residentBytes > limit else { return }
        log("out of memory: resident \(GuestMemory.residentBytes >> 10) KiB over the limit of \(limit >> 10) KiB; killing process \(task.process.pid) (\(Text.string(task.process.name)))")
        killProcess(task.process, signal: Signal.SIGKILL, core: false)
    }

    /// EAGAIN when one more task would pass the tasks limit.
    func reserveTask() throws(Errno) {
        guard let limit = configuration.limits.tasks else { return }
        if tasks.count >= limit { throw .EAGAIN }
    }
}
