/// The xattr calls (set/get/list/remove, on a path, a path without following its last link, or a
/// descriptor). No file system of Skiff's stores extended attributes, so once the name, the
/// value's size and the file check out the answer is Linux's for a file system without them:
/// EOPNOTSUPP for get, set and remove, and an empty list (0) for list.
extension Kernel {
    enum XattrCall { case set, get, list, remove }

    /// `number` is the generic table's: 5...16, in groups of three (path, lpath, fd) per call.
    func sysXattr(_ t: Task, _ number: Int) throws(Errno) -> Int64 {
        let call: XattrCall = [.set, .get, .list, .remove][(number - 5) / 3]
        let form = (number - 5) % 3          // 0: path, 1: path without following, 2: descriptor
        // In Linux's order: the flags, the name, the value's size, then the file.
        if call == .set && t.argument(4) & ~UInt64(3) != 0 { throw .EINVAL }   // XATTR_CREATE | XATTR_REPLACE
        if call != .list {
            let name: [UInt8]
            do throws(Errno) { name = try t.readString(t.argument(1), limit: 255) } catch {
                throw error == .ENAMETOOLONG ? .ERANGE : error
            }
            if name.isEmpty { throw .ERANGE }
        }
        if call == .set && t.argument(3) > 65536 { throw .E2BIG }
        if form == 2 {
            _ = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(0)))
        } else {
            _ = try statTarget(t, dirfd: AT_FDCWD, pathAddress: t.argument(0), flags: form == 1 ? AT_SYMLINK_NOFOLLOW : 0)
        }
        if call == .list { return 0 }
        throw .EOPNOTSUPP
    }
}
