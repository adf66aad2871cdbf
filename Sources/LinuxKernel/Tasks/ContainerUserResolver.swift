// `docker run -u` (or the image's User) resolved the way docker (runc) does, through the
// container's own /etc/passwd and /etc/group. Portable: `skiff run`, `skiff convert` and a
// converted module running an image the web page pulled all resolve users with it.

/// Why a user specification names nobody.
public struct UserLookupError: Error, Equatable {
    public var message: String
}

/// - `name` or `uid`, optionally `:group` or `:gid`;
/// - a name must exist in /etc/passwd; a numeric uid need not (its gid is then 0 and HOME is /);
/// - the primary group is the passwd entry's unless given; the supplementary groups are the
///   primary one and, without a group given, the /etc/group entries that list the user name.
public struct ContainerUserResolver {
    struct PasswdEntry { var name: [UInt8]; var uid: UInt32; var gid: UInt32; var home: [UInt8] }
    struct GroupEntry { var name: [UInt8]; var gid: UInt32; var members: [[UInt8]] }

    let passwd: [PasswdEntry]
    let groups: [GroupEntry]

    public init(passwd: String?, group: String?) {
        var users: [PasswdEntry] = []
        for f in Self.records(passwd) where f.count >= 7 {
            guard let uid = Self.number(f[2]), let gid = Self.number(f[3]) else { continue }
            users.append(PasswdEntry(name: f[0], uid: uid, gid: gid, home: f[5]))
        }
        var groups: [GroupEntry] = []
        for f in Self.records(group) where f.count >= 4 {
            guard let gid = Self.number(f[2]) else { continue }
            groups.append(GroupEntry(name: f[0], gid: gid, members: f[3].split(separator: UInt8(ascii: ",")).map { Array($0) }))
        }
        self.passwd = users
        self.groups = groups
    }

    public init(root: ContainerFileSystem) {
        func text(_ path: String) -> String? { root.readFile(path).map { String(decoding: $0, as: UTF8.self) } }
        self.init(passwd: text("/etc/passwd"), group: text("/etc/group"))
    }

    /// The colon-separated fields of each line.
    static func records(_ text: String?) -> [[[UInt8]]] {
        Array((text ?? "").utf8).split(separator: UInt8(ascii: "\n")).map { line in
            line.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false).map { Array($0) }
        }
    }

    static func number(_ digits: [UInt8]) -> UInt32? {
        guard !digits.isEmpty, digits.count <= 10 else { return nil }
        var v: UInt64 = 0
        for d in digits {
            guard d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") else { return nil }
            v = v * 10 + UInt64(d - UInt8(ascii: "0"))
        }
        return v <= UInt64(UInt32.max) ? UInt32(v) : nil
    }

    public struct Resolved: Equatable {
        public var user: ContainerUser
        public var home: String
        public init(user: ContainerUser, home: String) { self.user = user; self.home = home }
    }

    public func resolve(_ spec: String) throws(UserLookupError) -> Resolved {
        if spec.isEmpty { return try resolve("0") }
        let parts = Array(spec.utf8).split(separator: UInt8(ascii: ":"), maxSplits: 1, omittingEmptySubsequences: false).map { Array($0) }
        let userPart = parts[0], groupPart = parts.count > 1 ? parts[1] : nil
        var uid: UInt32, gid: UInt32 = 0, home: [UInt8] = [UInt8(ascii: "/")], name: [UInt8]?
        if let entry = passwd.first(where: { $0.name == userPart }) {
            (uid, gid, home, name) = (entry.uid, entry.gid, entry.home, entry.name)
        } else if let n = Self.number(userPart) {
            uid = n
            if let entry = passwd.first(where: { $0.uid == n }) { (gid, home, name) = (entry.gid, entry.home, entry.name) }
        } else {
            throw UserLookupError(message: "unable to find user \(String(decoding: userPart, as: UTF8.self)): no matching entries in passwd file")
        }
        if let g = groupPart {
            if let entry = groups.first(where: { $0.name == g }) {
                gid = entry.gid
            } else if let n = Self.number(g) {
                gid = n
            } else {
                throw UserLookupError(message: "unable to find group \(String(decoding: g, as: UTF8.self)): no matching entries in group file")
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
        return Resolved(user: ContainerUser(uid: uid, gid: gid, groups: supplementary),
                        home: home.isEmpty ? "/" : String(decoding: home, as: UTF8.self))
    }
}
