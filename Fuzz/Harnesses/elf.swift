// The ELF loader and `#!` parsing (execve of the first process): the input is the program file
// `/prog` of a filesystem image, and also `/lib/ld.so` (so a PT_INTERP naming it loads the same
// bytes as an interpreter). A corrupt program must fail with an errno execve gives (skiff run
// then exits 126/127) and a message; never a host crash or a read outside the file.
@testable import LinuxKernel
@testable import FSImage
import PosixHost

let allowedErrnos: Set<Errno> = [.ENOEXEC, .ENOENT, .EACCES, .ENOMEM, .E2BIG, .ELOOP, .ENOTDIR, .EISDIR, .EINVAL, .ENAMETOOLONG, .EIO]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzELF(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let program = fuzzBytes(data, size)
    let sink = FSImageMemorySink()
    do {
        let b = try FSImageBuilder(sink: sink)
        let x = FSImageAttributes(permissions: 0o755)
        let lib = b.makeDirectory(x), bin = b.makeDirectory(x)
        try b.link(lib, as: Array("lib".utf8), in: b.root)
        try b.link(bin, as: Array("bin".utf8), in: b.root)
        try b.link(try b.makeRegularFile(x, contents: program), as: Array("prog".utf8), in: b.root)
        try b.link(try b.makeRegularFile(x, contents: program), as: Array("ld.so".utf8), in: lib)
        try b.link(try b.makeRegularFile(x, contents: tinyELF()), as: Array("sh".utf8), in: bin)
        _ = try b.finish()
    } catch { invariant(false, "image: \(error)"); return 0 }
    sink.bytes.withUnsafeBytes { image in
        guard let reader = try? FSImageReader(image) else { invariant(false, "image does not open"); return }
        let k = Kernel(host: PosixHost())
        k.mountImage(reader, at: "/")
        do throws(Errno) {
            try k.start(path: "/prog", arguments: ["prog", "arg"], environment: ["A=1"], workingDirectory: "/")
        } catch {
            invariant(allowedErrnos.contains(error), "execve failed with \(error), which execve never gives for a bad file")
            invariant(error != .ENOEXEC || !(k.diagnostic ?? "").isEmpty, "ENOEXEC without a message")
        }
        release(k)
    }
    return 0
}

/// The kernel has no teardown (skiff ends by exiting): the first process and its task hold each
/// other, and the kernel both, so every input's address space (the page tables of what it mapped,
/// up to megabytes for wide segments) stayed allocated until libFuzzer's memory limit ended the
/// run (a 120 s run did at 8,259 executions, 4 GB). Breaking the cycle frees them.
func release(_ k: Kernel) {
    for p in k.processes.values { p.threads.removeAll() }
    k.processes.removeAll()
    k.tasks.removeAll()
    k.runQueue = TaskQueue()
    k.initProcess = nil
}

/// Seeds: the tiny programs, static and PIE with an interpreter, x86-64, and scripts.
func fuzzSeeds() -> [(name: String, bytes: [UInt8])] {
    [("static.elf", tinyELF()), ("pie-with-interpreter.elf", tinyELF(type: 3, interpreter: "/lib/ld.so")),
     ("x86-64.elf", tinyELF(machine: 62)), ("script", Array("#! /bin/sh -e \nexit 3\n".utf8)),
     ("script-loop", Array("#!/prog\n".utf8))]
}

/// A minimal ELF (as ELFLoaderTests builds): `li a0, 42; li a7, 93; ecall` at 0x10078 for
/// riscv64; `type` 3 makes it position-independent; `interpreter` adds a PT_INTERP.
func tinyELF(machine: UInt16 = 243, type: UInt16 = 2, interpreter: String? = nil) -> [UInt8] {
    let interp: [UInt8] = interpreter.map { Array($0.utf8) + [0] } ?? []
    let phnum: UInt16 = interp.isEmpty ? 1 : 2
    let codeOffset = UInt64(64 + 56 * Int(phnum))
    var w = ByteWriter()
    w.append([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]); w.zeros(8)
    w.u16(type); w.u16(machine); w.u32(1); w.u64(0x10000 + codeOffset); w.u64(64); w.u64(0)
    w.u32(0); w.u16(64); w.u16(56); w.u16(phnum); w.u16(64); w.u16(0); w.u16(0)
    let end = codeOffset + 12 + UInt64(interp.count)
    w.u32(1); w.u32(5); w.u64(0); w.u64(0x10000); w.u64(0x10000); w.u64(end); w.u64(end); w.u64(0x1000)
    if !interp.isEmpty {
        w.u32(3); w.u32(4); w.u64(codeOffset + 12); w.u64(0x10000 + codeOffset + 12); w.u64(0)
        w.u64(UInt64(interp.count)); w.u64(UInt64(interp.count)); w.u64(1)
    }
    for insn: UInt32 in [0x02a0_0513, 0x05d0_0893, 0x0000_0073] { w.u32(insn) }
    w.append(interp)
    return w.bytes
}
