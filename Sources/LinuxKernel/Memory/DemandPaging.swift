#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

/// Private file mappings (ELF segments, mmap of libraries and data files) are filled on first
/// touch, as Linux pages them in: their pages are mapped without access and listed as pending;
/// the first guest access faults, the scheduler (or a kernel copy) fills the page and nearby
/// pending ones from the file and gives them the region's protection, and the access runs again.
/// An exec then costs only the pages a program uses, not whole libraries.
extension AddressSpace {
    /// Pages filled around a faulting one (Linux's fault-around is 64 KiB).
    static let fillAround: UInt64 = 16

    /// Maps `region` (a private file mapping) with its pages pending.
    func insertLazily(_ region: MemoryRegion) {
        var r = region
        let protection = r.protection
        r.protection = protection
        insert(r)
        _ = memory.protect(at: r.start, length: r.length, protection: [])
        var vpn = r.start >> 12
        while vpn < r.end >> 12 { pendingPages.insert(vpn); vpn += 1 }
    }

    /// Forgets pending pages in [start, end) (they were unmapped or replaced).
    func forgetPending(_ start: UInt64, _ end: UInt64) {
        if pendingPages.isEmpty { return }
        let first = start >> 12, last = (end + AddressLayout.pageSize - 1) >> 12
        if last - first > UInt64(pendingPages.count) {
            pendingPages = pendingPages.filter { $0 < first || $0 >= last }
        } else {
            var vpn = first
            while vpn < last { pendingPages.remove(vpn); vpn += 1 }
        }
    }

    /// Whether any page of [start, end) is still pending.
    func hasPending(_ start: UInt64, _ end: UInt64) -> Bool {
        if pendingPages.isEmpty { return false }
        let first = start >> 12, last = (end + AddressLayout.pageSize - 1) >> 12
        if last - first > UInt64(pendingPages.count) { return pendingPages.contains { $0 >= first && $0 < last } }
        var vpn = first
        while vpn < last { if pendingPages.contains(vpn) { return true }; vpn += 1 }
        return false
    }

    /// A guest access faulted at `address`: fills its page and pending neighbours in the same
    /// region. False when the page was not pending (a real fault).
    func fillFault(at address: UInt64) -> Bool {
        let vpn = address >> 12
        guard pendingPages.contains(vpn), let r = region(containing: address) else { return false }
        let window = vpn & ~(AddressSpace.fillAround - 1)
        let lo = max(window << 12, r.start), hi = min((window + AddressSpace.fillAround) << 12, r.end)
        fill(lo, hi)
        return true
    }

    /// Fills every pending page in [start, end) (before the kernel reads, copies or moves it).
    @discardableResult
    func fill(_ start: UInt64, _ end: UInt64) -> Bool {
        if !hasPending(start, end) { return false }
        var page = AddressLayout.pageDown(start)
        while page < end {
            if pendingPages.contains(page >> 12), let r = region(containing: page) {
                // A run of pending pages of this region, filled with one read.
                var runEnd = page + AddressLayout.pageSize
                while runEnd < min(end, r.end) && pendingPages.contains(runEnd >> 12) { runEnd += AddressLayout.pageSize }
                fillRun(r, page, runEnd)
                page = runEnd
            } else {
                pendingPages.remove(page >> 12)
                page += AddressLayout.pageSize
            }
        }
        return true
    }

    private func fillRun(_ r: MemoryRegion, _ start: UInt64, _ end: UInt64) {
        let count = Int(end - start)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 16)
        defer { buffer.deallocate() }
        let valid = r.fillLimit > start ? Int(min(r.fillLimit, end) - start) : 0
        var done = 0
        if let f = r.file, valid > 0 {
            let offset = Int64(r.fileOffset + (start - r.start))
            while done < valid {
                guard let n = try? f.description.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[done..<valid]),
                                                      at: offset + Int64(done)), n > 0 else { break }
                done += n
            }
        }
        // Past the file's bytes (or a short read) the pages read as zeros.
        UnsafeMutableRawBufferPointer(rebasing: buffer[done...]).initializeMemory(as: UInt8.self, repeating: 0)
        _ = try? memory.write(at: start, from: UnsafeRawBufferPointer(buffer), force: true)
        _ = memory.protect(at: start, length: UInt64(count), protection: r.protection)
        var vpn = start >> 12
        while vpn < end >> 12 { pendingPages.remove(vpn); vpn += 1 }
    }
}
