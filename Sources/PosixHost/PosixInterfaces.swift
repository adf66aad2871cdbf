#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LinuxKernel

/// The host's network interfaces for `--network host` guests (netlink RTM_GETLINK/RTM_GETADDR,
/// SIOCGIF* ioctls): getifaddrs, with the link layer from its AF_PACKET (Linux) or AF_LINK
/// (Darwin) entries and the MTU from SIOCGIFMTU (Linux) or the link's if_data (Darwin).
extension PosixHost {
    public func networkInterfaces() throws(Errno) -> [NetworkInterface] {
        var list: UnsafeMutablePointer<ifaddrs>?
        if getifaddrs(&list) != 0 { throw HostErrno.current() }
        defer { freeifaddrs(list) }
        var found: [NetworkInterface] = []
        var entry = list
        while let e = entry {
            entry = e.pointee.ifa_next
            let index = Int32(bitPattern: if_nametoindex(e.pointee.ifa_name))
            if index == 0 { continue }
            var at = found.firstIndex { $0.index == index }
            if at == nil {
                let name = Array(String(cString: e.pointee.ifa_name).utf8)
                found.append(NetworkInterface(index: index, name: name, flags: PosixHost.linuxInterfaceFlags(UInt32(e.pointee.ifa_flags)),
                                              mtu: PosixHost.mtu(name), linkType: 0xfffe, hardwareAddress: [], hardwareBroadcast: [],
                                              addresses: []))
                at = found.count - 1
            }
            guard let i = at, let sa = e.pointee.ifa_addr else { continue }
            let raw = UnsafeRawPointer(sa)
            switch Int32(sa.pointee.sa_family) {
            case AF_INET, AF_INET6:
                let inet = Int32(sa.pointee.sa_family) == AF_INET
                let (offset, size) = inet ? (4, 4) : (8, 16)
                let address = [UInt8](UnsafeRawBufferPointer(start: raw + offset, count: size))
                var prefix = 0
                if let m = e.pointee.ifa_netmask {
                    for byte in UnsafeRawBufferPointer(start: UnsafeRawPointer(m) + offset, count: size) { prefix += byte.nonzeroBitCount }
                }
                let family = inet ? SocketAddress.inet : SocketAddress.inet6
                var a = InterfaceAddress(family: family, address: address, prefixLength: UInt8(prefix),
                                         scope: InterfaceAddress.scope(family: family, address: address))
                if inet && found[i].flags & NetworkInterface.broadcast != 0, let b = PosixHost.broadcastAddress(e) {
                    a.broadcast = [UInt8](UnsafeRawBufferPointer(start: UnsafeRawPointer(b) + 4, count: 4))
                }
                found[i].addresses.append(a)
            default:
                PosixHost.linkLayer(e, raw, into: &found[i])
            }
        }
        return found
    }

    #if canImport(Glibc)
    private static func linuxInterfaceFlags(_ flags: UInt32) -> UInt32 { flags }

    private static func broadcastAddress(_ e: UnsafeMutablePointer<ifaddrs>) -> UnsafeMutablePointer<sockaddr>? {
        e.pointee.ifa_ifu.ifu_broadaddr
    }

    /// AF_PACKET's struct sockaddr_ll: sll_hatype at 8, sll_halen at 11, sll_addr at 12.
    private static func linkLayer(_ e: UnsafeMutablePointer<ifaddrs>, _ raw: UnsafeRawPointer, into i: inout NetworkInterface) {
        if Int32(raw.load(as: UInt16.self)) != AF_PACKET { return }
        i.linkType = raw.load(fromByteOffset: 8, as: UInt16.self)
        let length = min(Int(raw.load(fromByteOffset: 11, as: UInt8.self)), 8)
        i.hardwareAddress = [UInt8](UnsafeRawBufferPointer(start: raw + 12, count: length))
        if let b = e.pointee.ifa_ifu.ifu_broadaddr, Int32(b.pointee.sa_family) == AF_PACKET {
            i.hardwareBroadcast = [UInt8](UnsafeRawBufferPointer(start: UnsafeRawPointer(b) + 12, count: length))
        }
    }

    private static func mtu(_ name: [UInt8]) -> UInt32 {
        var request = ifreq()
        withUnsafeMutableBytes(of: &request) { b in for (k, c) in name.prefix(15).enumerated() { b[k] = c } }
        let fd = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { return 0 }
        defer { _ = Glibc.close(fd) }
        if ioctl(fd, UInt(0x8921), &request) != 0 { return 0 }   // SIOCGIFMTU
        return UInt32(bitPattern: request.ifr_ifru.ifru_mtu)
    }
    #else
    /// Darwin's IFF_* bits as Linux's (IFF_MULTICAST differs).
    private static func linuxInterfaceFlags(_ flags: UInt32) -> UInt32 {
        var linux = flags & 0x5f   // UP, BROADCAST, DEBUG, LOOPBACK, POINTOPOINT, RUNNING (0x40)
        if flags & UInt32(IFF_MULTICAST) != 0 { linux |= NetworkInterface.multicast }
        if flags & UInt32(IFF_RUNNING) != 0 { linux |= NetworkInterface.lowerUp }
        return linux
    }

    private static func broadcastAddress(_ e: UnsafeMutablePointer<ifaddrs>) -> UnsafeMutablePointer<sockaddr>? {
        e.pointee.ifa_dstaddr
    }

    /// AF_LINK's struct sockaddr_dl: sdl_type at 4, sdl_nlen at 5, sdl_alen at 6, the name and
    /// then the address from 8; the MTU is in the entry's struct if_data.
    private static func linkLayer(_ e: UnsafeMutablePointer<ifaddrs>, _ raw: UnsafeRawPointer, into i: inout NetworkInterface) {
        if Int32(raw.load(fromByteOffset: 1, as: UInt8.self)) != AF_LINK { return }
        let type = raw.load(fromByteOffset: 4, as: UInt8.self)
        let nameLength = Int(raw.load(fromByteOffset: 5, as: UInt8.self))
        let length = Int(raw.load(fromByteOffset: 6, as: UInt8.self))
        i.linkType = type == 0x18 ? NetworkInterface.loopbackLink : type == 6 ? NetworkInterface.etherLink : 0xfffe
        i.hardwareAddress = [UInt8](UnsafeRawBufferPointer(start: raw + 8 + nameLength, count: length))
        if type == 6 { i.hardwareBroadcast = [UInt8](repeating: 0xff, count: length) }
        if type == 0x18 { i.hardwareAddress = [UInt8](repeating: 0, count: 6); i.hardwareBroadcast = i.hardwareAddress }
        if let data = e.pointee.ifa_data { i.mtu = data.assumingMemoryBound(to: if_data.self).pointee.ifi_mtu }
    }

    private static func mtu(_ name: [UInt8]) -> UInt32 { 0 }
    #endif
}
