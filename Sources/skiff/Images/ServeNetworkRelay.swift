import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// `skiff serve --network host`: the page's guest TCP connections, made from this host.
///
/// A converted module in the page reaches this relay through its worker: each guest connection is
/// one WebSocket to `/.skiff/net` (the module's side of the protocol is wasm/WasiRelay.swift;
/// docs/web.md). The first bytes from the page are one request line, answered with one line:
///
///     connect FAMILY ADDRESS PORT\n    →   ok ADDRESS PORT\n  (this host's end)  |  error ERRNO\n
///
/// (FAMILY 2 or 10, ADDRESS the address bytes in hex, ERRNO a Linux errno). Then binary messages
/// carry the connection's bytes both ways; an empty message is the end of one direction (the
/// guest shut its side for writing, or the peer did).
///
/// Only pages served from this server may use it: a WebSocket is not bound by the same-origin
/// policy, so a request whose Origin is not this server's is refused (another site open in the
/// browser could otherwise use the relay to reach the user's network).
enum ServeNetworkRelay {
    static let path = "/.skiff/net"

    /// The upgrader for `configureHTTPServerPipeline`: upgrades same-origin requests for `path`.
    static func upgrader(staticHandlerName: String) -> NIOWebSocketServerUpgrader {
        NIOWebSocketServerUpgrader(
            maxFrameSize: 1 << 24,
            shouldUpgrade: { channel, head in
                guard head.uri == path, isSameOrigin(head) else { return channel.eventLoop.makeSucceededFuture(nil) }
                return channel.eventLoop.makeSucceededFuture(HTTPHeaders())
            },
            upgradePipelineHandler: { channel, _ in
                channel.pipeline.removeHandler(name: staticHandlerName).flatMap {
                    channel.pipeline.addHandler(RelayConnectionHandler())
                }
            })
    }

    /// The request's Origin names the host it was sent to (http://HOST[:PORT] as in Host).
    static func isSameOrigin(_ head: HTTPRequestHead) -> Bool {
        guard let origin = head.headers["Origin"].first, let host = head.headers["Host"].first else { return false }
        return origin == "http://" + host || origin == "https://" + host
    }

    /// A Linux errno for why a connection could not be made.
    static func linuxErrno(_ error: Error) -> Int32 {
        if let e = error as? NIOConnectionError, let first = e.connectionErrors.first { return linuxErrno(first.error) }
        if case ChannelError.connectTimeout = error { return 110 }   // ETIMEDOUT
        guard let io = error as? IOError else { return 111 }
        switch io.errnoCode {
        case ECONNREFUSED: return 111
        case ETIMEDOUT: return 110
        case ENETUNREACH: return 101
        case EHOSTUNREACH: return 113
        case EADDRNOTAVAIL: return 99
        case EACCES: return 13
        case EPERM: return 1
        case ECONNRESET: return 104
        default: return 111
        }
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// The request's destination, or nil when the line is not a well-formed request.
    static func destination(_ line: String) -> SocketAddress? {
        let words = line.split(separator: " ")
        guard words.count == 4, words[0] == "connect", let port = UInt16(words[3]) else { return nil }
        let text = words[2]
        guard text.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var i = text.startIndex
        while i < text.endIndex {
            let next = text.index(i, offsetBy: 2)
            guard let b = UInt8(text[i..<next], radix: 16) else { return nil }
            bytes.append(b)
            i = next
        }
        switch (words[1], bytes.count) {
        case ("2", 4):
            return try? SocketAddress(ipAddress: bytes.map(String.init).joined(separator: "."), port: Int(port))
        case ("10", 16):
            let groups = stride(from: 0, to: 16, by: 2).map { String(format: "%x", Int(bytes[$0]) << 8 | Int(bytes[$0 + 1])) }
            return try? SocketAddress(ipAddress: groups.joined(separator: ":"), port: Int(port))
        default:
            return nil
        }
    }

    /// The address bytes and port of `address` (an IP address).
    static func addressBytes(_ address: SocketAddress?) -> ([UInt8], Int)? {
        switch address {
        case .v4(let a)?:
            var sin = a.address.sin_addr
            return (withUnsafeBytes(of: &sin) { Array($0) }, address!.port ?? 0)
        case .v6(let a)?:
            var sin6 = a.address.sin6_addr
            return (withUnsafeBytes(of: &sin6) { Array($0) }, address!.port ?? 0)
        default:
            return nil
        }
    }
}

/// One guest connection: the page's WebSocket on one side, a TCP connection from this host on
/// the other.
final class RelayConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private var requestLine: [UInt8] = []
    private var outbound: Channel?
    /// Bytes from the page before the connection is up (the module sends none, but a page might).
    private var early: [ByteBuffer] = []
    private var earlyEnd = false
    private var connecting = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .binary, .text, .continuation:
            var payload = frame.unmaskedData
            if outbound == nil && !connecting {
                readRequest(context, &payload)
                return
            }
            forward(payload)
        case .connectionClose:
            outbound?.close(promise: nil)
            let close = WebSocketFrame(fin: true, opcode: .connectionClose, data: context.channel.allocator.buffer(capacity: 0))
            context.writeAndFlush(wrapOutboundOut(close)).whenComplete { _ in context.close(promise: nil) }
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        outbound?.close(promise: nil)
        outbound = nil
    }

    /// Flow control: the peer is read only while the page's WebSocket takes what is sent to it.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        outbound?.setOption(ChannelOptions.autoRead, value: context.channel.isWritable).whenFailure { _ in }
        context.fireChannelWritabilityChanged()
    }

    /// Bytes (or, when empty, the end of them) from the page to the peer.
    private func forward(_ payload: ByteBuffer) {
        guard let out = outbound else {
            if payload.readableBytes == 0 { earlyEnd = true } else { early.append(payload) }
            return
        }
        if payload.readableBytes == 0 {
            out.close(mode: .output, promise: nil)
        } else {
            out.writeAndFlush(payload, promise: nil)
        }
    }

    private func readRequest(_ context: ChannelHandlerContext, _ payload: inout ByteBuffer) {
        let bytes = payload.readBytes(length: payload.readableBytes) ?? []
        guard let newline = bytes.firstIndex(of: 0x0a) else {
            requestLine += bytes
            if requestLine.count > 512 { answer(context, "error 71\n", thenClose: true) }   // EPROTO
            return
        }
        requestLine += bytes[..<newline]
        let rest = Array(bytes[(newline + 1)...])
        if !rest.isEmpty {
            var b = context.channel.allocator.buffer(capacity: rest.count)
            b.writeBytes(rest)
            early.append(b)
        }
        guard let address = ServeNetworkRelay.destination(String(decoding: requestLine, as: UTF8.self)) else {
            return answer(context, "error 71\n", thenClose: true)
        }
        connecting = true
        let page = context.channel
        let loop = context.eventLoop
        ClientBootstrap(group: loop)
            .connectTimeout(.seconds(20))
            .channelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .channelInitializer { channel in
                channel.pipeline.addHandler(RelayPeerHandler(page: page))
            }
            .connect(to: address)
            .hop(to: loop)
            .whenComplete { result in
                self.connecting = false
                switch result {
                case .success(let channel):
                    guard page.isActive else { channel.close(promise: nil); return }
                    self.outbound = channel
                    let local = ServeNetworkRelay.addressBytes(channel.localAddress) ?? ([0, 0, 0, 0], 0)
                    self.answer(context, "ok \(ServeNetworkRelay.hex(local.0)) \(local.1)\n", thenClose: false)
                    for b in self.early { channel.write(b, promise: nil) }
                    channel.flush()
                    self.early = []
                    if self.earlyEnd { channel.close(mode: .output, promise: nil) }
                case .failure(let error):
                    self.answer(context, "error \(ServeNetworkRelay.linuxErrno(error))\n", thenClose: true)
                }
            }
    }

    private func answer(_ context: ChannelHandlerContext, _ line: String, thenClose: Bool) {
        let frame = WebSocketFrame(fin: true, opcode: .binary, data: context.channel.allocator.buffer(string: line))
        let done = context.writeAndFlush(wrapOutboundOut(frame))
        if thenClose { done.whenComplete { _ in context.close(promise: nil) } }
    }
}

/// The TCP side: what the peer sends goes to the page as binary messages; its end of data is an
/// empty message, and the connection closing closes the WebSocket. Neither side is read faster
/// than the other takes its bytes.
final class RelayPeerHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    let page: Channel
    init(page: Channel) { self.page = page }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        page.writeAndFlush(WebSocketFrame(fin: true, opcode: .binary, data: bytes), promise: nil)
        // Flow control: stop reading the peer until the page's WebSocket drains (see
        // RelayConnectionHandler.channelWritabilityChanged).
        if !page.isWritable { context.channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in } }
    }

    /// And the other way: the page is read only while the peer takes what is sent to it.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        page.setOption(ChannelOptions.autoRead, value: context.channel.isWritable).whenFailure { _ in }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            page.writeAndFlush(WebSocketFrame(fin: true, opcode: .binary, data: page.allocator.buffer(capacity: 0)), promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        let close = WebSocketFrame(fin: true, opcode: .connectionClose, data: page.allocator.buffer(capacity: 0))
        page.writeAndFlush(close).whenComplete { _ in self.page.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
}
