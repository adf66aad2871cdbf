import LinuxKernel
import OCI

/// Resolves `docker run -u` (or the image's User) the way docker (runc) does, through the
/// container's own /etc/passwd and /etc/group:
/// - `name` or `uid`, optionally `:group` or `:gid`;
/// - a name must exist in /etc/passwd; a numeric uid need not (its gid is then 0 and HOME is /);
/// - the primary group is the passwd entry's unless given; the supplementary groups are the
///   primary one and, without a group given, the /etc/group entries that list the user name.
struct ContainerUserResolver {
    struct PasswdEntry { var name: String; var uid: UInt32; var gid: UInt32; var home: String }
    struct GroupEntry { var name: String; var gid: UInt32; var members: [String] }

    let passwd: [PasswdEntry]
    let groups: [GroupEntry]

    init(passwd: String?, group: String?) {
        self.passwd = (passwd ?? "").split(separator: "\n").compactMap { line -> PasswdEntry? in
            let f = line.split(separator: ":", omittingEmptySubsequences: false)
            guard f.count >= 7, let uid = UInt32(f[2]), let gid = UInt32(f[3]) else { return nil }
            return PasswdEntry(name: String(f[0]), uid: uid, gid: gid, home: String(f[5]))
        }
        self.groups = (group ?? "").split(separator: "\n").compactMap { line -> GroupEntry? in
            let f = line.split(separator: ":", omittingEmptySubsequences: false)
            guard f.count >= 4, let gid = UInt32(f[2]) else { return nil }
            return GroupEntry(name: String(f[0]), gid: gid, members: f[3].split(separator: ",").map(String.init))
        }
    }

    init(root: ContainerFileSystem) {
        func text(_ path: String) -> String? { root.readFile(path).map { String(decoding: $0, as: UTF8.self) } }
        self.init(passwd: text("/etc/passwd"), group: text("/etc/group"))
    }

    struct Resolved: Equatable { var user: ContainerUser; var home: String }

    func resolve(_ spec: String) throws(SkiffError) -> Resolved {
        if spec.isEmpty { return try resolve("0") }
        let parts = spec.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let userPart = parts[0], groupPart = parts.count > 1 ? parts[1] : nil
        var uid: UInt32, gid: UInt32 = 0, home = "/", name: String?
        if let entry = passwd.first(where: { $0.name == userPart }) {
            (uid, gid, home, name) = (entry.uid, entry.gid, entry.home, entry.name)
        } else if let n = UInt32(userPart) {
            uid = n
            if let entry = passwd.first(where: { $0.uid == n }) { (gid, home, name) = (entry.gid, entry.home, entry.name) }
        } else {
            throw SkiffError(.notFound, "unable to find user \(userPart): no matching entries in passwd file")
        }
        if let g = groupPart {
            if let entry = groups.first(where: { $0.name == g }) {
                gid = entry.gid
            } else if let n = UInt32(g) {
                gid = n
            } else {
                throw SkiffError(.notFound, "unable to find group \(g): no matching entries in group file")
            }
        }
        // The primary group first (as containerd and moby set it up since CVE-2023-25173), then,
        // only in the implicit form (no group given), the groups that list the user, as runc does.
        var supplementary: [UInt32] = [gid]
        if let name, groupPart == nil {
            for entry in groups where entry.members.contains(name) && !supplementary.contains(entry.gid) {
                supplementary.append(entry.gid)
            }
        }
        return Resolved(user: ContainerUser(uid: uid, gid: gid, groups: supplementary), home: home.isEmpty ? "/" : home)
    }
}
