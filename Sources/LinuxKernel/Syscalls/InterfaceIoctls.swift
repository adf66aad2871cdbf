/// The device ioctls any socket takes (Linux's dev_ioctl), on a struct ifreq (the name in 16
/// bytes, the answer in the union at 16): what glibc's if_nametoindex/if_indextoname and programs
/// asking for an interface's flags, MTU or hardware address use. The interfaces are
/// `Kernel.networkInterfaces`. Setting anything (SIOCSIF*) and the rest are ENOTTY here.
extension Kernel {
    static let SIOCGIFNAME: UInt32 = 0x8910, SIOCGIFFLAGS: UInt32 = 0x8913, SIOCGIFMTU: UInt32 = 0x8921,
               SIOCGIFHWADDR: UInt32 = 0x8927, SIOCGIFINDEX: UInt32 = 0x8933

    static func isInterfaceIoctl(_ request: UInt32) -> Bool {
        request == SIOCGIFNAME || request == SIOCGIFFLAGS || request == SIOCGIFMTU || request == SIOCGIFHWADDR || request == SIOCGIFINDEX
    }

    static func isSocket(_ d: FileDescription) -> Bool { d is UnixSocket || d is InetSocket || d is NetlinkSocket }

    func interfaceIoctl(_ t: Task, request: UInt32, arg: UInt64) throws(Errno) -> Int64 {
        var request40 = try t.copyIn(arg, count: 40)
        let r = ByteReader(request40)
        let all = try networkInterfaces()
        var w = ByteWriter(capacity: 16)
        if request == Kernel.SIOCGIFNAME {
            guard let i = all.first(where: { $0.index == r.i32(16) }) else { throw .ENODEV }
            w.append(Array(i.name.prefix(15)))
            w.zeros(16 - w.bytes.count)
            try t.copyOut(w.bytes, to: arg)
            return 0
        }
        request40[15] = 0
        let name = Array(request40[0..<16].prefix { $0 != 0 })
        guard let i = all.first(where: { $0.name == name }) else { throw .ENODEV }
        switch request {
        case Kernel.SIOCGIFINDEX: w.i32(i.index)
        case Kernel.SIOCGIFFLAGS: w.u16(UInt16(truncatingIfNeeded: i.flags))   // a short: IFF_LOWER_UP and above are netlink's
        case Kernel.SIOCGIFMTU: w.u32(i.mtu)
        default: // SIOCGIFHWADDR: a struct sockaddr, sa_family = the ARPHRD type
            w.u16(i.linkType)
            w.append(Array(i.hardwareAddress.prefix(14)))
            w.zeros(16 - w.bytes.count)
        }
        try t.copyOut(w.bytes, to: arg + 16)
        return 0
    }
}
