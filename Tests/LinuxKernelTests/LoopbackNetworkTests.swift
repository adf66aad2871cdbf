import XCTest
@testable import LinuxKernel

/// `--network none`: the kernel's own loopback network, driven through the socket system calls.
final class LoopbackNetworkTests: XCTestCase {
    private func loopbackFixture() throws -> KernelFixture {
        var configuration = KernelConfiguration()
        configuration.network = .loopback
        return try KernelFixture(configuration: configuration)
    }

    private func inet(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, port: UInt16) -> [UInt8] {
        GuestSocketAddress.encode(SocketAddress(family: SocketAddress.inet, address: [a, b, c, d], port: port))
    }

    private func inet6(_ address: [UInt8], port: UInt16) -> [UInt8] {
        GuestSocketAddress.encode(SocketAddress(family: SocketAddress.inet6, address: address, port: port))
    }

    /// getsockname/getpeername of `fd`, decoded.
    private func name(_ f: KernelFixture, _ fd: Int64, peer: Bool = false) throws -> SocketAddress {
        let buffer = f.buffer(128)
        let length = f.place([128, 0, 0, 0])
        XCTAssertEqual(f.call(peer ? 205 : 204, UInt64(fd), buffer, length), 0)
        let n = Int(f.read(length, 1)[0])
        return try GuestSocketAddress.decode(f.read(buffer, n))
    }

    func testEndpointCoverage() {
        let any6 = LoopbackEndpoint(address: LoopbackEndpoint.v6Any, port: 80)
        let any4 = LoopbackEndpoint(address: LoopbackEndpoint.v4Any, port: 80)
        let lo4 = LoopbackEndpoint(address: LoopbackEndpoint.v4Loopback, port: 80)
        let lo6 = LoopbackEndpoint(address: LoopbackEndpoint.v6Loopback, port: 80)
        XCTAssertTrue(any6.accepts(lo4, v6Only: false), "dual-stack :: takes IPv4")
        XCTAssertFalse(any6.accepts(lo4, v6Only: true))
        XCTAssertTrue(any4.accepts(lo4, v6Only: false))
        XCTAssertFalse(any4.accepts(lo6, v6Only: false))
        XCTAssertTrue(LoopbackEndpoint.overlap(any6, false, lo4, false))
        XCTAssertFalse(LoopbackEndpoint.overlap(any6, true, any4, false), "a v6-only :: and 0.0.0.0 coexist")
        XCTAssertFalse(LoopbackEndpoint.overlap(lo4, false, lo6, false))
        XCTAssertTrue(LoopbackEndpoint(address: LoopbackEndpoint.mapped([127, 9, 9, 9]), port: 1).isLocal)
        XCTAssertFalse(LoopbackEndpoint(address: LoopbackEndpoint.mapped([192, 0, 2, 1]), port: 1).isLocal)
    }

    func testStreamConnectionAndErrors() throws {
        let f = try loopbackFixture()
        let listener = f.call(198, 2, 1, 0)
        XCTAssertGreaterThanOrEqual(listener, 0)
        let address = f.place(inet(127, 0, 0, 1, port: 8080))
        XCTAssertEqual(f.call(200, UInt64(listener), address, 16), 0)
        XCTAssertEqual(f.call(203, UInt64(f.call(198, 2, 1, 0)), address, 16), f.errno(.ECONNREFUSED), "bound, not listening")
        XCTAssertEqual(f.call(201, UInt64(listener), 8), 0)
        XCTAssertEqual(f.call(200, UInt64(f.call(198, 2, 1, 0)), address, 16), f.errno(.EADDRINUSE))
        XCTAssertEqual(f.call(200, UInt64(f.call(198, 2, 1, 0)), f.place(inet(10, 0, 0, 1, port: 1)), 16), f.errno(.EADDRNOTAVAIL))
        XCTAssertEqual(f.call(203, UInt64(f.call(198, 2, 1, 0)), f.place(inet(192, 0, 2, 1, port: 80)), 16), f.errno(.ENETUNREACH))
        XCTAssertEqual(f.call(203, UInt64(f.call(198, 2, 1, 0)), f.place(inet6(LoopbackEndpoint.v6Loopback, port: 8080)), 28),
                       f.errno(.EAFNOSUPPORT), "IPv6 address on an IPv4 socket")

        let client = f.call(198, 2, 1, 0)
        XCTAssertEqual(f.call(203, UInt64(client), address, 16), 0)
        let server = f.call(242, UInt64(listener), 0, 0, 0)
        XCTAssertGreaterThanOrEqual(server, 0)
        XCTAssertEqual(try name(f, server, peer: true), try name(f, client), "each end sees the other")
        XCTAssertEqual(try name(f, client, peer: true).port, 8080)
        XCTAssertEqual(try name(f, client).address, [127, 0, 0, 1])

        XCTAssertEqual(f.call(206, UInt64(client), f.place("ping"), 4, 0, 0, 0), 4)
        let buffer = f.buffer(16)
        XCTAssertEqual(f.call(207, UInt64(server), buffer, 16, 0x2, 0, 0), 4, "MSG_PEEK")
        XCTAssertEqual(f.call(63, UInt64(server), buffer, 16), 4)
        XCTAssertEqual(f.read(buffer, 4), Array("ping".utf8))
        XCTAssertEqual(f.call(207, UInt64(server), buffer, 16, 0x40, 0, 0), f.errno(.EAGAIN), "MSG_DONTWAIT with nothing")
        XCTAssertEqual(f.call(57, UInt64(client)), 0)
        XCTAssertEqual(f.call(63, UInt64(server), buffer, 16), 0, "end of file once the peer closed")
    }

    func testDualStackListenerAndDatagrams() throws {
        let f = try loopbackFixture()
        let listener = f.call(198, 10, 1, 0)
        XCTAssertEqual(f.call(200, UInt64(listener), f.place(inet6(LoopbackEndpoint.v6Any, port: 9000)), 28), 0)
        XCTAssertEqual(f.call(201, UInt64(listener), 1), 0)
        XCTAssertEqual(f.call(203, UInt64(f.call(198, 2, 1, 0)), f.place(inet(127, 0, 0, 1, port: 9000)), 16), 0,
                       "an IPv4 client reaches a dual-stack listener")
        let server = f.call(242, UInt64(listener), 0, 0, 0)
        XCTAssertEqual(try name(f, server, peer: true).address, LoopbackEndpoint.mapped([127, 0, 0, 1]))

        let a = f.call(198, 2, 2, 0), b = f.call(198, 2, 2, 0)
        XCTAssertEqual(f.call(200, UInt64(a), f.place(inet(127, 0, 0, 1, port: 0)), 16), 0)
        let aName = try name(f, a)
        XCTAssertGreaterThanOrEqual(aName.port, 32768, "an ephemeral port")
        XCTAssertEqual(f.call(206, UInt64(b), f.place("hello"), 5, 0, f.place(GuestSocketAddress.encode(aName)), 16), 5)
        let buffer = f.buffer(8), from = f.buffer(16), fromLength = f.place([16, 0, 0, 0])
        XCTAssertEqual(f.call(207, UInt64(a), buffer, 3, 0x20, from, fromLength), 5, "MSG_TRUNC gives the datagram's length")
        XCTAssertEqual(try GuestSocketAddress.decode(f.read(from, 16)), try name(f, b).withAddress([127, 0, 0, 1]))
        XCTAssertEqual(f.call(207, UInt64(a), buffer, 8, 0x40, 0, 0), f.errno(.EAGAIN))
        // A connected socket learns that nobody listens (ICMP port unreachable).
        let c = f.call(198, 2, 2, 0)
        XCTAssertEqual(f.call(203, UInt64(c), f.place(inet(127, 0, 0, 1, port: 9)), 16), 0)
        XCTAssertEqual(f.call(206, UInt64(c), f.place("x"), 1, 0, 0, 0), 1)
        XCTAssertEqual(f.call(207, UInt64(c), buffer, 8, 0x40, 0, 0), f.errno(.ECONNREFUSED))
    }

    func testUnsupportedKindsAndOptionsAreRefused() throws {
        let f = try loopbackFixture()
        XCTAssertEqual(f.call(198, 17, 3, 0), f.errno(.EAFNOSUPPORT), "AF_PACKET")
        XCTAssertEqual(f.call(198, 2, 3, 1), f.errno(.ESOCKTNOSUPPORT), "SOCK_RAW")
        XCTAssertEqual(f.call(198, 2, 1, 17), f.errno(.EPROTONOSUPPORT), "UDP over a stream socket")
        let s = f.call(198, 2, 1, 0)
        let value = f.buffer(4), length = f.place([4, 0, 0, 0])
        XCTAssertEqual(f.call(209, UInt64(s), 1, 4242, value, length), f.errno(.ENOPROTOOPT))
        XCTAssertEqual(f.call(209, UInt64(s), 1, 3, value, length), 0, "SO_TYPE")
        XCTAssertEqual(f.read(value, 4), [1, 0, 0, 0])
        XCTAssertEqual(f.call(208, UInt64(s), 6, 1, f.place([1, 0, 0, 0]), 4), 0, "TCP_NODELAY")
        XCTAssertEqual(f.call(208, UInt64(s), 6, 1, f.place([1, 0]), 2), f.errno(.EINVAL), "short option value")
    }
}

private extension SocketAddress {
    func withAddress(_ bytes: [UInt8]) -> SocketAddress {
        var a = self
        a.address = bytes
        return a
    }
}
