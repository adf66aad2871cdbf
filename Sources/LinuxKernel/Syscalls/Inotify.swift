/// inotify: inotify_init1, inotify_add_watch, inotify_rm_watch (the instance is
/// Files/InotifyInstance.swift), and the events the kernel's own file operations post. A watch
/// names a file by device and inode; a change to a file goes to the file's watches and, with the
/// file's name, to the watches of the directory it is in (open, read, write, close, chmod/chown/
/// utimens, truncate), and a name made, removed or renamed goes to its directory's watches.
/// Only changes made through the container's system calls are seen: a file changed from the host
/// side (a bind-mounted directory edited outside) posts nothing. Nothing here costs anything while
/// no watch exists (`watchingFiles`).
final class InotifyWatch {
    let key: FileKey
    let instance: InotifyInstance
    let wd: Int32
    var mask: UInt32

    init(key: FileKey, instance: InotifyInstance, wd: Int32, mask: UInt32) {
        self.key = key; self.instance = instance; self.wd = wd; self.mask = mask
    }
}

enum InotifyMask {
    static let access: UInt32 = 0x1, modify: UInt32 = 0x2, attrib: UInt32 = 0x4
    static let closeWrite: UInt32 = 0x8, closeNoWrite: UInt32 = 0x10, open: UInt32 = 0x20
    static let movedFrom: UInt32 = 0x40, movedTo: UInt32 = 0x80, create: UInt32 = 0x100, delete: UInt32 = 0x200
    static let deleteSelf: UInt32 = 0x400, moveSelf: UInt32 = 0x800
    static let overflow: UInt32 = 0x4000, ignored: UInt32 = 0x8000, isDirectory: UInt32 = 0x4000_0000
    static let allEvents: UInt32 = 0xfff
    static let onlyDirectory: UInt32 = 0x0100_0000, dontFollow: UInt32 = 0x0200_0000, exclUnlink: UInt32 = 0x0400_0000
    static let maskCreate: UInt32 = 0x1000_0000, maskAdd: UInt32 = 0x2000_0000, oneShot: UInt32 = 0x8000_0000
}

extension FileKey {
    init(_ st: FileStat) { self.init(device: st.device, inode: st.inode) }
}

extension Kernel {
    var watchingFiles: Bool { !inotifyWatches.isEmpty }

    func sysInotifyInit1(_ t: Task) throws(Errno) -> Int64 {
        let flags = Int32(truncatingIfNeeded: t.argument(0))
        if flags & ~(LinuxOpenFlags.nonBlocking | LinuxOpenFlags.closeOnExec) != 0 { throw .EINVAL }
        let d = InotifyInstance(flags: flags, kernel: self)
        return Int64(try t.process.files.install(d, closeOnExec: flags & LinuxOpenFlags.closeOnExec != 0))
    }

    private func inotifyInstance(_ t: Task) throws(Errno) -> InotifyInstance {
        guard let i = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(0))) as? InotifyInstance else { throw .EINVAL }
        return i
    }

    func sysInotifyAddWatch(_ t: Task) throws(Errno) -> Int64 {
        let mask = UInt32(truncatingIfNeeded: t.argument(2))
        if mask & InotifyMask.allEvents == 0 { throw .EINVAL }
        if mask & InotifyMask.maskAdd != 0 && mask & InotifyMask.maskCreate != 0 { throw .EINVAL }
        let instance = try inotifyInstance(t)
        let r = try resolve(t, path: try t.readString(t.argument(1)), follow: mask & InotifyMask.dontFollow == 0)
        guard let st = r.stat else { throw .ENOENT }
        if mask & InotifyMask.onlyDirectory != 0 && !st.isDirectory { throw .ENOTDIR }
        let key = FileKey(st)
        let kept = mask & (InotifyMask.allEvents | InotifyMask.oneShot | InotifyMask.exclUnlink)
        if let w = inotifyWatches.first(where: { $0.instance === instance && $0.key == key }) {
            if mask & InotifyMask.maskCreate != 0 { throw .EEXIST }
            w.mask = mask & InotifyMask.maskAdd != 0 ? w.mask | kept : kept
            return Int64(w.wd)
        }
        let w = InotifyWatch(key: key, instance: instance, wd: instance.nextWatch, mask: kept)
        instance.nextWatch = instance.nextWatch == Int32.max ? 1 : instance.nextWatch + 1
        inotifyWatches.append(w)
        return Int64(w.wd)
    }

    func sysInotifyRmWatch(_ t: Task) throws(Errno) -> Int64 {
        let instance = try inotifyInstance(t)
        let wd = Int32(truncatingIfNeeded: t.argument(1))
        guard let w = inotifyWatches.first(where: { $0.instance === instance && $0.wd == wd }) else { throw .EINVAL }
        dropWatch(w)
        return 0
    }

    /// A watch ends: IN_IGNORED tells its reader.
    private func dropWatch(_ w: InotifyWatch) {
        inotifyWatches.removeAll { $0 === w }
        w.instance.post(InotifyInstance.Event(wd: w.wd, mask: InotifyMask.ignored, cookie: 0, name: []))
    }

    /// Posts `event` to the watches of `key` that ask for it (with `name` for a directory's
    /// watches on its entries); an IN_ONESHOT watch ends after its first event.
    private func postInotify(_ key: FileKey, _ event: UInt32, name: [UInt8] = [], cookie: UInt32 = 0, isDirectory: Bool) {
        var ended: [InotifyWatch] = []
        let flag = isDirectory && event & (InotifyMask.deleteSelf | InotifyMask.moveSelf) == 0 ? InotifyMask.isDirectory : 0
        for w in inotifyWatches where w.key == key && w.mask & event != 0 {
            w.instance.post(InotifyInstance.Event(wd: w.wd, mask: event | flag, cookie: cookie, name: name))
            if w.mask & InotifyMask.oneShot != 0 { ended.append(w) }
        }
        for w in ended { dropWatch(w) }
    }

    /// The key of the directory holding the file at `components` (a canonical guest path).
    private func directoryKey(_ t: Task?, _ components: [[UInt8]]) -> FileKey? {
        guard let t = t ?? runningTask, !components.isEmpty,
              let r = try? resolve(t, path: Path.absolute(Array(components.dropLast())), follow: true),
              let st = r.stat else { return nil }
        return FileKey(st)
    }

    /// `event` happened to the file at `components`: its directory's watches hear it with its
    /// name first, then its own watches.
    func notifyChange(_ t: Task?, _ components: [[UInt8]], _ st: FileStat, _ event: UInt32) {
        if !watchingFiles { return }
        if let name = components.last, let directory = directoryKey(t, components) {
            postInotify(directory, event, name: name, isDirectory: st.isDirectory)
        }
        postInotify(FileKey(st), event, isDirectory: st.isDirectory)
    }

    /// `event` happened to the file open as `d` (a file with a place in the tree).
    func notifyChange(_ t: Task?, _ d: FileDescription, _ event: UInt32) {
        guard watchingFiles, let location = d.location, let st = try? d.stat() else { return }
        notifyChange(t, location, st, event)
    }

    /// A name was made in, or removed from, a directory (IN_CREATE, IN_DELETE, IN_MOVED_*).
    func notifyEntry(_ t: Task, _ components: [[UInt8]], _ event: UInt32, isDirectory: Bool, cookie: UInt32 = 0) {
        guard watchingFiles, let name = components.last, let directory = directoryKey(t, components) else { return }
        postInotify(directory, event, name: name, cookie: cookie, isDirectory: isDirectory)
    }

    /// A file lost its last name and nobody has it open: IN_ATTRIB (its link count), then
    /// IN_DELETE_SELF, and its watches end (IN_IGNORED).
    private func fileGone(_ st: FileStat) {
        let key = FileKey(st)
        if !st.isDirectory { postInotify(key, InotifyMask.attrib, isDirectory: false) }
        postInotify(key, InotifyMask.deleteSelf, isDirectory: st.isDirectory)
        for w in inotifyWatches where w.key == key { dropWatch(w) }
    }

    /// Whether any process has the file of `key` open (its IN_DELETE_SELF waits for the last close).
    private func isOpen(_ key: FileKey) -> Bool {
        for p in processes.values where !p.isZombie {
            for fd in p.files.openDescriptors {
                if let d = try? p.files.get(fd), d.location != nil, let st = try? d.stat(), FileKey(st) == key { return true }
            }
        }
        return false
    }

    private func isWatched(_ st: FileStat) -> Bool {
        let key = FileKey(st)
        return inotifyWatches.contains { $0.key == key }
    }

    /// unlink or rmdir removed the name `components` of the file `st`.
    func notifyUnlinked(_ t: Task, _ components: [[UInt8]], _ st: FileStat) {
        if !watchingFiles { return }
        if isWatched(st) && (st.isDirectory || (st.linkCount <= 1 && !isOpen(FileKey(st)))) { fileGone(st) }
        notifyEntry(t, components, InotifyMask.delete, isDirectory: st.isDirectory)
    }

    /// rename moved `from` (the file `st`) to `to`, replacing `replaced` if there was one.
    func notifyRenamed(_ t: Task, from: [[UInt8]], to: [[UInt8]], _ st: FileStat, replaced: FileStat?, exchange: Bool) {
        if !watchingFiles { return }
        inotifyCookie = inotifyCookie == UInt32.max ? 1 : inotifyCookie + 1
        notifyEntry(t, from, InotifyMask.movedFrom, isDirectory: st.isDirectory, cookie: inotifyCookie)
        notifyEntry(t, to, InotifyMask.movedTo, isDirectory: st.isDirectory, cookie: inotifyCookie)
        postInotify(FileKey(st), InotifyMask.moveSelf, isDirectory: st.isDirectory)
        guard let other = replaced else { return }
        if exchange {
            inotifyCookie = inotifyCookie == UInt32.max ? 1 : inotifyCookie + 1
            notifyEntry(t, to, InotifyMask.movedFrom, isDirectory: other.isDirectory, cookie: inotifyCookie)
            notifyEntry(t, from, InotifyMask.movedTo, isDirectory: other.isDirectory, cookie: inotifyCookie)
            postInotify(FileKey(other), InotifyMask.moveSelf, isDirectory: other.isDirectory)
        } else if isWatched(other) && (other.isDirectory || (other.linkCount <= 1 && !isOpen(FileKey(other)))) {
            fileGone(other)
        }
    }

    /// Before the descriptors `fds` of `files` close: each description that loses its last
    /// reference with them posts its close events (while it can still be asked for its stat).
    func notifyClosing(_ files: FileTable, _ fds: [Int32]) {
        var closing: [FileDescription] = []
        for fd in fds { if let d = try? files.get(fd) { closing.append(d) } }
        for (i, d) in closing.enumerated() where !closing[..<i].contains(where: { $0 === d }) {
            if closing.filter({ $0 === d }).count == d.references { notifyClosed(d) }
        }
    }

    /// The last descriptor of `d` is closing: IN_CLOSE_WRITE or IN_CLOSE_NOWRITE, and
    /// IN_DELETE_SELF when the file was unlinked while open.
    private func notifyClosed(_ d: FileDescription) {
        guard watchingFiles, !d.isPathOnly, d.location != nil else { return }
        notifyChange(nil, d, d.canWrite ? InotifyMask.closeWrite : InotifyMask.closeNoWrite)
        if let st = try? d.stat(), st.linkCount == 0, isWatched(st) { fileGone(st) }
    }

    /// A read (IN_ACCESS) or write (IN_MODIFY) that moved `count` bytes; returns `count`.
    func noteTransfer(_ t: Task, _ d: FileDescription, _ count: Int64, write: Bool) -> Int64 {
        if count > 0 && watchingFiles { notifyChange(t, d, write ? InotifyMask.modify : InotifyMask.access) }
        return count
    }
}
