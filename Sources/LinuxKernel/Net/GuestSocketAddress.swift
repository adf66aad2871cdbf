/// The guest's `struct sockaddr_in` (16 bytes) and `sockaddr_in6` (28 bytes) as riscv64 Linux
/// lays them out: family in the guest's byte order, port and flow label in network order.
enum GuestSocketAddress {
    /// Decodes a guest socket address of `raw.count` bytes (the length the guest passed).
    static func decode(_ raw: [UInt8]) throws(Errno) -> SocketAddress {
        if raw.count < 2 { throw .EINVAL }
        let r = ByteReader(raw)
        let family = Int32(r.u16(0))
        switch family {
        case SocketAddress.inet:
            if raw.count < 16 { throw .EINVAL }
            return SocketAddress(family: family, address: Array(raw[4..<8]), port: UInt16(raw[2]) << 8 | UInt16(raw[3]))
        case SocketAddress.inet6:
            if raw.count < 24 { throw .EINVAL }
            var a = SocketAddress(family: family, address: Array(raw[8..<24]), port: UInt16(raw[2]) << 8 | UInt16(raw[3]))
            a.flowInfo = UInt32(bigEndian: r.u32(4))
            if raw.count >= 28 { a.scopeID = r.u32(24) }
            return a
        case SocketAddress.unspecified:
            return .disconnect
        default:
            throw .EAFNOSUPPORT
        }
    }

    static func encode(_ a: SocketAddress) -> [UInt8] {
        var w = ByteWriter(capacity: 28)
        w.u16(UInt16(truncatingIfNeeded: a.family))
        w.u8(UInt8(a.port >> 8)); w.u8(UInt8(a.port & 0xff))
        if a.family == SocketAddress.inet6 {
            w.u32(a.flowInfo.bigEndian)
            w.append(a.address)
            w.u32(a.scopeID)
        } else {
            w.append(a.address)
            w.zeros(8)
        }
        return w.bytes
    }
}

extension Kernel {
    /// A socket address the guest passed (pointer and length).
    func readSocketAddress(_ t: Task, _ address: UInt64, _ length: UInt64) throws(Errno) -> SocketAddress {
        if length > 128 { throw .EINVAL }
        return try GuestSocketAddress.decode(try t.copyIn(address, count: Int(length)))
    }

    /// Stores an address for accept/getsockname/recvfrom: as much as fits in the guest's buffer,
    /// and the full length in `*lengthAddress` (nothing when either pointer is null).
    func writeSocketAddress(_ t: Task, _ a: SocketAddress, to address: UInt64, lengthAt lengthAddress: UInt64) throws(Errno) {
        if address == 0 || lengthAddress == 0 { return }
        let capacity = Int32(bitPattern: try t.load(UInt32.self, at: lengthAddress))
        if capacity < 0 { throw .EINVAL }
        let bytes = GuestSocketAddress.encode(a)
        try t.copyOut(Array(bytes.prefix(Int(capacity))), to: address)
        try t.store(UInt32(bytes.count), at: lengthAddress)
    }
}
