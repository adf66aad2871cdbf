#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

/// Where an ELF image landed in a new address space.
struct LoadedImage {
    var entry: UInt64
    var bias: UInt64
    var programHeaderAddress: UInt64
    var programHeaderCount: UInt16
    /// End of the highest segment (the program break starts here for the main program).
    var end: UInt64
    var interpreterPath: [UInt8]?
    var executableStack: Bool
}

/// An executable opened for execve, with what the first bytes said it is.
struct ExecutableFile {
    var description: FileDescription
    var components: [[UInt8]]
    var stat: FileStat
    var prefix: [UInt8]
}

extension Kernel {
    /// execve(2) for `task`: loads `path` (an ELF or a `#!` script) into a fresh address space
    /// and, once nothing can fail any more, replaces the process image with it.
    func execute(_ task: Task, path: [UInt8], arguments: [[UInt8]], environment: [[UInt8]],
                 directory: Int32 = AT_FDCWD, followFinalSymlink: Bool = true) throws(Errno) {
        do throws(ExecFailure) {
            try executeImage(task, path: path, arguments: arguments, environment: environment,
                             directory: directory, follow: followFinalSymlink)
            diagnostic = nil
        } catch {
            diagnostic = error.message
            if tracing { log("execve \(Text.string(path)): \(error.message)") }
            throw error.errno
        }
    }

    private func executeImage(_ task: Task, path: [UInt8], arguments: [[UInt8]], environment: [[UInt8]],
                              directory: Int32, follow: Bool) throws(ExecFailure) {
        // Follow the chain of `#!` interpreters to an ELF file.
        var argv = arguments
        var file = try openExecutable(task, path: path, directory: directory, follow: follow)
        var depth = 0
        while let script = ScriptHeader.parse(file.prefix) {
            depth += 1
            if depth > 4 { throw ExecFailure(errno: .ELOOP, message: "\(Text.string(path)): too many levels of #! interpreters") }
            guard let interpreter = script.interpreter else {
                throw ExecFailure(errno: .ENOEXEC, message: "\(Text.string(path)): #! line names no interpreter")
            }
            var newArgv: [[UInt8]] = [interpreter]
            if let a = script.argument { newArgv.append(a) }
            newArgv.append(path)
            if argv.count > 1 { newArgv.append(contentsOf: argv[1...]) }
            argv = newArgv
            let next: ExecutableFile
            do throws(ExecFailure) {
                next = try openExecutable(task, path: interpreter, directory: AT_FDCWD, follow: true)
            } catch {
                throw ExecFailure(errno: error.errno, message: "\(Text.string(path)): bad interpreter \(Text.string(interpreter)): \(error.message)")
            }
            file.description.release()
            file = next
        }
        defer { file.description.release() }
        guard ELFParser.isELF(file.prefix) else {
            throw ExecFailure(errno: .ENOEXEC, message: "\(Text.string(path)): not an ELF executable or #! script: cannot execute binary file")
        }

        let space = AddressSpace(memory: GuestMemory())
        let header: ELFHeader
        do throws(ExecFailure) { header = try ELFParser.header(file.prefix, fileSize: file.stat.size) } catch {
            throw ExecFailure(errno: error.errno, message: "\(Text.string(path)): \(error.message)")
        }
        let architecture = Architecture(machine: header.machine) ?? .riscv64
        let main = try loadELF(file, into: space, asInterpreter: false)
        var entry = main.entry
        var interpreterBase: UInt64 = 0
        if let ip = main.interpreterPath {
            let interp: ExecutableFile
            do throws(ExecFailure) {
                interp = try openExecutable(task, path: ip, directory: AT_FDCWD, follow: true, needsExecutePermission: false)
            } catch {
                throw ExecFailure(errno: error.errno, message: "\(Text.string(path)): cannot load its ELF interpreter \(Text.string(ip)): \(error.message)")
            }
            defer { interp.description.release() }
            guard ELFParser.isELF(interp.prefix) else {
                throw ExecFailure(errno: .ELIBBAD, message: "ELF interpreter \(Text.string(ip)) is not an ELF file")
            }
            if let h = try? ELFParser.header(interp.prefix, fileSize: interp.stat.size), h.machine != header.machine {
                throw ExecFailure(errno: .ELIBBAD, message: "ELF interpreter \(Text.string(ip)) is for another machine")
            }
            let loaded = try loadELF(interp, into: space, asInterpreter: true)
            entry = loaded.entry
            interpreterBase = loaded.bias
        }
        let trampoline = mapSignalTrampoline(space, architecture)
        space.brkStart = AddressLayout.pageUp(main.end)
        space.brk = space.brkStart

        var random = [UInt8](repeating: 0, count: 16)
        random.withUnsafeMutableBytes { host.randomBytes($0) }
        let capabilities = architecture.hardwareCapabilities
        var auxv: [(UInt64, UInt64)] = [
            (AuxVector.hwcap, capabilities.hwcap),
            (AuxVector.pageSize, AddressLayout.pageSize),
            (AuxVector.clockTick, 100),
            (AuxVector.programHeaders, main.programHeaderAddress),
            (AuxVector.programHeaderEntrySize, UInt64(ProgramHeader.size)),
            (AuxVector.programHeaderCount, UInt64(main.programHeaderCount)),
            (AuxVector.base, interpreterBase),
            (AuxVector.flags, 0),
            (AuxVector.entry, main.entry),
            (AuxVector.uid, UInt64(task.process.credentials.uid)), (AuxVector.euid, UInt64(task.process.credentials.euid)),
            (AuxVector.gid, UInt64(task.process.credentials.gid)), (AuxVector.egid, UInt64(task.process.credentials.egid)),
            (AuxVector.secure, 0),
        ]
        if let hwcap2 = capabilities.hwcap2 { auxv.append((AuxVector.hwcap2, hwcap2)) }
        let stack: InitialStack
        do throws(Errno) {
            stack = try InitialStack.build(in: space, arguments: argv, environment: environment, executableName: path,
                                           auxiliary: auxv, random: random, executable: main.executableStack,
                                           platform: capabilities.platform)
        } catch {
            throw ExecFailure(errno: error, message: "argument list too long")
        }

        // Point of no return: the old image goes away.
        commitExec(task, architecture: architecture, space: space, entry: entry, stackPointer: stack.stackPointer,
                   executable: Path.absolute(file.components), arguments: argv, trampoline: trampoline)
    }

    /// Resolves, checks and opens a file to execute, reading its first bytes.
    func openExecutable(_ task: Task, path: [UInt8], directory: Int32, follow: Bool,
                        needsExecutePermission: Bool = true) throws(ExecFailure) -> ExecutableFile {
        let name = Text.string(path)
        let resolved: ResolvedPath
        do throws(Errno) {
            resolved = try resolve(task, at: directory, path: path, follow: follow, allowEmpty: directory != AT_FDCWD)
        } catch {
            throw ExecFailure(errno: error, message: "\(name): \(describe(error))")
        }
        guard let st = resolved.stat else { throw ExecFailure(errno: .ENOENT, message: "\(name): No such file or directory") }
        if st.isDirectory { throw ExecFailure(errno: .EACCES, message: "\(name): Is a directory") }
        if !st.isRegular && resolved.magic == nil { throw ExecFailure(errno: .EACCES, message: "\(name): Permission denied (not a regular file)") }
        if needsExecutePermission && st.mode & 0o111 == 0 {
            throw ExecFailure(errno: .EACCES, message: "\(name): Permission denied (no execute permission)")
        }
        let d: FileDescription
        do throws(Errno) {
            if let m = resolved.magic {
                d = m
            } else {
                d = try resolved.mount.fileSystem.open(resolved.relative, flags: LinuxOpenFlags.readOnly, mode: 0,
                                                       caller: task, guestPath: resolved.components)
            }
        } catch {
            throw ExecFailure(errno: error, message: "\(name): \(describe(error))")
        }
        d.retain()
        var prefix = [UInt8](repeating: 0, count: 256)
        let n: Int
        do throws(Errno) {
            n = try withMutableBytes(&prefix) { (b) throws(Errno) -> Int in try d.read(into: b, at: 0) }
        } catch {
            d.release()
            throw ExecFailure(errno: .EIO, message: "\(name): cannot read: \(describe(error))")
        }
        prefix.removeSubrange(n...)
        return ExecutableFile(description: d, components: resolved.components, stat: st, prefix: prefix)
    }

    /// Maps the PT_LOAD segments of an ELF file into `space`.
    func loadELF(_ file: ExecutableFile, into space: AddressSpace, asInterpreter: Bool) throws(ExecFailure) -> LoadedImage {
        let name = Text.string(Path.absolute(file.components))
        let fileSize = file.stat.size
        let header: ELFHeader
        do throws(ExecFailure) { header = try ELFParser.header(file.prefix, fileSize: fileSize) } catch {
            throw ExecFailure(errno: error.errno, message: "\(name): \(error.message)")
        }
        let tableSize = Int(header.programHeaderCount) * ProgramHeader.size
        let table = try readFile(file.description, at: header.programHeaderOffset, count: tableSize, name: name)
        let headers = ELFParser.programHeaders(table, count: Int(header.programHeaderCount))
        let loads = headers.filter { $0.type == ProgramHeader.load && $0.memorySize > 0 }
        guard !loads.isEmpty else { throw ExecFailure(errno: .ENOEXEC, message: "\(name): ELF file has no loadable segment") }

        var interpreterPath: [UInt8]?
        var executableStack = false
        for ph in headers {
            if ph.type == ProgramHeader.interpreter && !asInterpreter {
                guard ph.fileSize > 1, ph.fileSize <= 4096 else {
                    throw ExecFailure(errno: .ENOEXEC, message: "\(name): corrupt ELF file: bad PT_INTERP")
                }
                var p = try readFile(file.description, at: ph.offset, count: Int(ph.fileSize), name: name)
                if let z = p.firstIndex(of: 0) { p.removeSubrange(z...) }
                interpreterPath = p
            }
            if ph.type == ProgramHeader.gnuStack { executableStack = ph.isExecutable }
        }
        var low = UInt64.max, high: UInt64 = 0
        var total: UInt64 = 0
        for ph in loads {
            if ph.fileSize > ph.memorySize || ph.virtualAddress &+ ph.memorySize < ph.virtualAddress
                || (ph.virtualAddress & (AddressLayout.pageSize - 1)) != (ph.offset & (AddressLayout.pageSize - 1)) {
                throw ExecFailure(errno: .ENOEXEC, message: "\(name): corrupt ELF file: bad PT_LOAD segment")
            }
            if ph.offset &+ ph.fileSize > UInt64(fileSize) || ph.offset &+ ph.fileSize < ph.offset {
                throw ExecFailure(errno: .ENOEXEC, message: "\(name): truncated ELF file: a segment lies past its end")
            }
            low = min(low, AddressLayout.pageDown(ph.virtualAddress))
            high = max(high, ph.virtualAddress + ph.memorySize)
            let (sum, overflow) = total.addingReportingOverflow(ph.memorySize)
            total = overflow ? UInt64.max : sum
        }
        // Page bookkeeping is per page, so segments larger than mmap's largest mapping are refused
        // as mmap refuses it (ENOMEM, as Linux's overcommit check does for a .bss beyond its
        // memory) rather than stalling the kernel (the elf fuzzer found a 12 GiB .bss taking 3.6 s).
        if total > AddressLayout.maximumMapping {
            throw ExecFailure(errno: .ENOMEM, message: "\(name): its segments need more than 16 GiB of memory")
        }
        var bias: UInt64 = 0
        let span = AddressLayout.pageUp(high) - low
        if header.type == ELFHeader.typeShared {
            let base: UInt64?
            if asInterpreter { base = space.findFree(length: span) } else { base = AddressLayout.executableBase }
            guard let b = base else { throw ExecFailure(errno: .ENOMEM, message: "\(name): no room to load it") }
            bias = b &- low
        }
        guard low &+ bias >= AddressLayout.minimumAddress, AddressLayout.pageUp(high) &+ bias <= AddressLayout.mmapBase,
              space.isFree(low &+ bias, AddressLayout.pageUp(high) &+ bias) else {
            throw ExecFailure(errno: .ENOMEM, message: "\(name): its segments do not fit the guest address space")
        }

        let mapped = MappedFile(description: file.description, path: Path.absolute(file.components),
                                device: file.stat.device, inode: file.stat.inode)
        var phdrAddress: UInt64 = 0
        for ph in loads {
            var protection: MemoryProtection = []
            if ph.isReadable { protection.insert(.read) }
            if ph.isWritable { protection.insert(.write) }
            if ph.isExecutable { protection.insert(.execute) }
            // The bias may be "negative" (a PIE linked high): addresses wrap into the range checked above.
            let address = ph.virtualAddress &+ bias
            let start = AddressLayout.pageDown(address)
            let pageOffset = address - start
            let fileEnd = AddressLayout.pageUp(address + ph.fileSize)
            let end = AddressLayout.pageUp(address + ph.memorySize)
            // File-backed pages (filled on first touch, zero past the segment's file part), then
            // anonymous zero pages for the rest of .bss.
            if fileEnd > start {
                var region = MemoryRegion(start: start, end: fileEnd, protection: protection, file: mapped,
                                          fileOffset: ph.offset - pageOffset)
                region.fillLimit = address + ph.fileSize
                space.insertLazily(region)
            }
            if end > fileEnd {
                space.insert(MemoryRegion(start: fileEnd, end: end, protection: protection))
            }
            if ph.offset <= header.programHeaderOffset
                && header.programHeaderOffset + UInt64(tableSize) <= ph.offset + ph.fileSize {
                phdrAddress = address + (header.programHeaderOffset - ph.offset)
            }
        }
        if let phdr = headers.first(where: { $0.type == ProgramHeader.programHeaders }) {
            phdrAddress = phdr.virtualAddress &+ bias
        }
        return LoadedImage(entry: header.entry &+ bias, bias: bias, programHeaderAddress: phdrAddress,
                           programHeaderCount: header.programHeaderCount, end: high &+ bias,
                           interpreterPath: interpreterPath, executableStack: executableStack)
    }

    private func readFile(_ d: FileDescription, at offset: UInt64, count: Int, name: String) throws(ExecFailure) -> [UInt8] {
        // A file offset is signed: one past Int64.max (or reaching past it) is EINVAL, as Linux's
        // kernel_read gives for a PT_INTERP so placed (the elf fuzzer found it as a host trap).
        if offset > UInt64(Int64.max) - UInt64(count) {
            throw ExecFailure(errno: .EINVAL, message: "\(name): corrupt ELF file: data at offset \(offset)")
        }
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n: Int
            do throws(Errno) {
                n = try withMutableBytes(&bytes) { (b) throws(Errno) -> Int in
                    try d.read(into: UnsafeMutableRawBufferPointer(rebasing: b[done...]), at: Int64(offset) + Int64(done))
                }
            } catch {
                throw ExecFailure(errno: .EIO, message: "\(name): read error: \(describe(error))")
            }
            if n == 0 { throw ExecFailure(errno: .ENOEXEC, message: "\(name): truncated ELF file") }
            done += n
        }
        return bytes
    }

    /// A page holding the ISA's rt_sigreturn call (riscv64: `li a7, 139; ecall`): the return
    /// address of signal handlers, which riscv64 Linux provides through its vDSO.
    func mapSignalTrampoline(_ space: AddressSpace, _ architecture: Architecture) -> UInt64 {
        guard let at = space.findFree(length: AddressLayout.pageSize) else { return 0 }
        space.insert(MemoryRegion(start: at, end: at + AddressLayout.pageSize, protection: [.read, .execute],
                                  label: Array("[vdso]".utf8)))
        let code = architecture.signalTrampoline
        code.withUnsafeBytes { _ = try? space.memory.write(at: at, from: $0, force: true) }
        return at
    }

    /// Replaces the process image: other threads end, the address space, registers, close-on-exec
    /// descriptors and caught signals are reset (execve's point of no return).
    private func commitExec(_ task: Task, architecture: Architecture, space: AddressSpace, entry: UInt64, stackPointer: UInt64,
                            executable: [UInt8], arguments: [[UInt8]], trampoline: UInt64) {
        let process = task.process
        for t in process.threads where t !== task { terminateThread(t) }
        process.threads = [task]
        let oldSpace = process.addressSpace
        process.addressSpace = space
        releaseAddressSpace(oldSpace)
        process.signalTrampoline = trampoline
        if task.cpu.architecture != architecture {
            let cpu = architecture.makeCPU(memory: space.memory)
            cpu.timeSource = task.cpu.timeSource
            task.cpu = cpu
        }
        task.cpu.startProgram(memory: space.memory, entry: entry, stackPointer: stackPointer)
        task.alternateStack = (0, 0, 2)
        task.clearChildTID = 0
        task.robustListHead = 0
        if process.signalActionsShared { process.signalActions = process.signalActions.copy(); process.signalActionsShared = false }
        process.signalActions.resetForExec()
        process.files = process.files.unshared()   // as Linux's unshare_files: a CLONE_FILES sharer keeps its table
        closeDescriptors(process, process.files.closeOnExecDescriptors)
        process.executablePath = executable
        process.arguments = arguments
        var base = Path.lastComponent(executable)
        if base.count > 15 { base.removeSubrange(15...) }
        process.name = base
        releaseVforkParent(task)
    }

    func describe(_ e: Errno) -> String {
        switch e {
        case .ENOENT: return "No such file or directory"
        case .EACCES: return "Permission denied"
        case .ENOTDIR: return "Not a directory"
        case .ELOOP: return "Too many levels of symbolic links"
        case .ENAMETOOLONG: return "File name too long"
        case .ENOEXEC: return "Exec format error"
        case .EISDIR: return "Is a directory"
        case .EIO: return "Input/output error"
        default: return e.name
        }
    }
}

extension Errno {
    /// Accessing a corrupted shared library (the interpreter is not a usable ELF file).
    static let ELIBBAD = Errno(80)
}
