/// The user a container's first process runs as (`docker run -u`): ids already resolved.
public struct ContainerUser: Equatable {
    public var uid: UInt32
    public var gid: UInt32
    /// Supplementary groups.
    public var groups: [UInt32]
    public init(uid: UInt32 = 0, gid: UInt32 = 0, groups: [UInt32] = []) {
        self.uid = uid
        self.gid = gid
        self.groups = groups
    }
}

/// A process's user and group ids (Linux's `struct cred` without capabilities: a process whose
/// effective uid is 0 has the capabilities docker grants a container's root, others none).
struct Credentials: Equatable {
    var uid: UInt32 = 0, euid: UInt32 = 0, suid: UInt32 = 0, fsuid: UInt32 = 0
    var gid: UInt32 = 0, egid: UInt32 = 0, sgid: UInt32 = 0, fsgid: UInt32 = 0
    var groups: [UInt32] = []

    static let root = Credentials()

    init() {}

    init(_ user: ContainerUser) {
        uid = user.uid; euid = user.uid; suid = user.uid; fsuid = user.uid
        gid = user.gid; egid = user.gid; sgid = user.gid; fsgid = user.gid
        groups = user.groups
    }

    /// CAP_SETUID, CAP_SETGID, CAP_DAC_OVERRIDE, CAP_CHOWN…: held by the container's root.
    var isPrivileged: Bool { euid == 0 }

    func inGroup(_ g: UInt32) -> Bool { fsgid == g || groups.contains(g) }
}
