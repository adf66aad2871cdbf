#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

/// Layout of a riscv64 user address space (Sv39, as Linux lays it out without randomisation).
enum AddressLayout {
    static let pageSize: UInt64 = GuestMemory.pageSize
    static let taskSize: UInt64 = 0x40_0000_0000
    static let stackTop: UInt64 = taskSize
    static let stackSize: UInt64 = 8 << 20
    /// Where mmap searches down from: below the stack and a guard gap, as Linux's mmap_base.
    static let mmapBase: UInt64 = stackTop - stackSize - (128 << 20)
    /// Where a position-independent executable is loaded (ELF_ET_DYN_BASE = 2/3 of TASK_SIZE).
    static let executableBase: UInt64 = (taskSize / 3 * 2) & ~(pageSize - 1)
    /// The lowest address mmap hands out (vm.mmap_min_addr).
    static let minimumAddress: UInt64 = 0x10000
    /// The largest single mapping: page bookkeeping is per page, so bigger reservations are
    /// refused with ENOMEM rather than stalling the kernel.
    static let maximumMapping: UInt64 = 16 << 30

    static func pageDown(_ a: UInt64) -> UInt64 { a & ~(pageSize - 1) }
    static func pageUp(_ a: UInt64) -> UInt64 { (a &+ pageSize &- 1) & ~(pageSize - 1) }
    static func isAligned(_ a: UInt64) -> Bool { a & (pageSize - 1) == 0 }
}

/// The kernel's record of a guest address space: the mappings (VMAs) over the hart's pages, the
/// program break, and where new mappings go. All page contents live in `memory`.
final class AddressSpace {
    let memory: GuestMemory
    /// Sorted by start, non-overlapping.
    private(set) var regions: [MemoryRegion] = []
    var brkStart: UInt64 = 0
    var brk: UInt64 = 0
    /// Processes using this address space (vfork and CLONE_VM children share it).
    var users = 1
    /// Futex waiters by address.
    var futexQueues: [UInt64: WaitQueue] = [:]
    /// Some region maps a SharedMemoryObject (futexes there may be shared between processes).
    var mapsSharedObjects = false
    /// Page numbers of private file pages not filled yet (see DemandPaging.swift).
    var pendingPages = Set<UInt64>()
    /// membarrier's registrations (MEMBARRIER_CMD_REGISTER_*): kept across fork, none after exec.
    var membarrierRegistrations: Int32 = 0

    init(memory: GuestMemory) { self.memory = memory }

    /// A copy-on-write duplicate for fork.
    func fork() -> AddressSpace {
        let copy = AddressSpace(memory: memory.fork())
        copy.regions = regions
        copy.brkStart = brkStart
        copy.brk = brk
        copy.mapsSharedObjects = mapsSharedObjects
        copy.pendingPages = pendingPages
        copy.membarrierRegistrations = membarrierRegistrations
        return copy
    }

    // MARK: Queries

    /// Index of the first region whose end is above `address`.
    private func firstIndex(endingAbove address: UInt64) -> Int {
        var lo = 0, hi = regions.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if regions[mid].end <= address { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    func region(containing address: UInt64) -> MemoryRegion? {
        let i = firstIndex(endingAbove: address)
        if i < regions.count && regions[i].start <= address { return regions[i] }
        return nil
    }

    func isFree(_ start: UInt64, _ end: UInt64) -> Bool {
        if start < AddressLayout.minimumAddress || end > AddressLayout.taskSize || end <= start { return false }
        let i = firstIndex(endingAbove: start)
        return i >= regions.count || regions[i].start >= end
    }

    /// Whether every page of [start, end) is mapped.
    func isFullyMapped(_ start: UInt64, _ end: UInt64) -> Bool {
        var at = start
        var i = firstIndex(endingAbove: start)
        while at < end {
            guard i < regions.count, regions[i].start <= at else { return false }
            at = regions[i].end
            i += 1
        }
        return true
    }

    /// The highest free range of `length` bytes below `limit` (top-down, as Linux's mmap).
    func findFree(length: UInt64, below limit: UInt64 = AddressLayout.mmapBase) -> UInt64? {
        var top = limit
        var i = firstIndex(endingAbove: limit) - 1
        if i + 1 < regions.count && regions[i + 1].start < limit { top = min(top, regions[i + 1].start) }
        while true {
            let floor = i >= 0 ? regions[i].end : AddressLayout.minimumAddress
            if top >= floor && top - floor >= length { return top - length }
            if i < 0 { return nil }
            top = min(top, regions[i].start)
            i -= 1
        }
    }

    // MARK: Changes (the caller validated alignment; these keep regions and pages in step)

    /// Maps `region`, replacing whatever was there: fresh zero pages, or its shared object's pages.
    func insert(_ region: MemoryRegion) {
        _ = removeRegions(region.start, region.end)
        forgetPending(region.start, region.end)
        if let obj = region.object {
            mapsSharedObjects = true
            memory.mapShared(at: region.start, length: region.length, protection: region.protection,
                             pages: obj.pages, firstPage: Int(region.objectOffset / AddressLayout.pageSize))
        } else {
            memory.map(at: region.start, length: region.length, protection: region.protection)
        }
        let i = firstIndex(endingAbove: region.start)
        regions.insert(region, at: i)
    }

    /// Unmaps [start, end); returns the pieces that were mapped there.
    @discardableResult
    func unmap(_ start: UInt64, _ end: UInt64) -> [MemoryRegion] {
        let removed = removeRegions(start, end)
        for r in removed { memory.unmap(at: r.start, length: r.length) }
        forgetPending(start, end)
        return removed
    }

    /// Changes protection of [start, end); false (ENOMEM) if part of it is unmapped.
    func protect(_ start: UInt64, _ end: UInt64, _ protection: MemoryProtection) -> Bool {
        guard isFullyMapped(start, end) else { return false }
        let pieces = removeRegions(start, end)
        for var p in pieces {
            p.protection = protection
            let i = firstIndex(endingAbove: p.start)
            regions.insert(p, at: i)
        }
        _ = memory.protect(at: start, length: end - start, protection: protection)
        // Pending pages stay inaccessible until filled (they get the new protection then).
        if hasPending(start, end) {
            var vpn = start >> 12
            while vpn < (end + AddressLayout.pageSize - 1) >> 12 {
                if pendingPages.contains(vpn) { _ = memory.protect(at: vpn << 12, length: AddressLayout.pageSize, protection: []) }
                vpn += 1
            }
        }
        return true
    }

    /// Moves the record of [oldStart, oldStart+length) to newStart (pages are moved by the caller).
    func relabel(_ region: MemoryRegion) {
        let i = firstIndex(endingAbove: region.start)
        regions.insert(region, at: i)
    }

    /// Takes [start, end) out of the region list (splitting regions at the edges), pages untouched.
    func removeRegions(_ start: UInt64, _ end: UInt64) -> [MemoryRegion] {
        var removed: [MemoryRegion] = []
        var i = firstIndex(endingAbove: start)
        var kept: [MemoryRegion] = []
        let first = i
        while i < regions.count && regions[i].start < end {
            let r = regions[i]
            if r.start < start { kept.append(r.slice(r.start, start)) }
            removed.append(r.slice(start, end))
            if r.end > end { kept.append(r.slice(end, r.end)) }
            i += 1
        }
        if i > first { regions.replaceSubrange(first..<i, with: kept) }
        return removed
    }

    /// Drops everything (execve, exit).
    func unmapAll() {
        for r in regions { memory.unmap(at: r.start, length: r.length) }
        regions.removeAll()
        pendingPages.removeAll()
    }

    // MARK: Program break

    /// brk(2): grows or shrinks the heap; returns the (possibly unchanged) break.
    func setBreak(_ requested: UInt64) -> UInt64 {
        if requested < brkStart { return brk }
        let oldEnd = AddressLayout.pageUp(brk)
        let newEnd = AddressLayout.pageUp(requested)
        if newEnd > oldEnd {
            guard isFree(oldEnd, newEnd), newEnd <= AddressLayout.mmapBase else { return brk }
            insert(MemoryRegion(start: oldEnd, end: newEnd, protection: [.read, .write], label: Array("[heap]".utf8)))
        } else if newEnd < oldEnd {
            unmap(newEnd, oldEnd)
        }
        brk = requested
        return brk
    }
}
