// ttrpc, containerd's RPC protocol for shims: over a unix socket, frames of a 10-byte header
// (data length and stream id, big-endian 32-bit; message type; flags) and a protobuf payload.
// A request (type 1) carries ttrpc.Request {service, method, payload}; the answer (type 2) a
// ttrpc.Response {status, payload} on the same stream id. Only unary calls: that is all the
// task service and the events service use.
import Dispatch
import Foundation
import SwiftProtobuf
#if canImport(Glibc)
import Glibc
#endif

/// gRPC status codes, as containerd's errdefs maps them back to its errors.
public struct TTRPCError: Error, CustomStringConvertible {
    public var code: Int32
    public var message: String
    public var description: String { message }

    public static func invalidArgument(_ m: String) -> TTRPCError { .init(code: 3, message: m) }
    public static func notFound(_ m: String) -> TTRPCError { .init(code: 5, message: m) }
    public static func alreadyExists(_ m: String) -> TTRPCError { .init(code: 6, message: m) }
    public static func failedPrecondition(_ m: String) -> TTRPCError { .init(code: 9, message: m) }
    public static func unimplemented(_ m: String) -> TTRPCError { .init(code: 12, message: m) }
    public static func internalError(_ m: String) -> TTRPCError { .init(code: 13, message: m) }
}

enum TTRPCFrame {
    static let request: UInt8 = 1, response: UInt8 = 2
    static let maxData = 4 << 20

    static func header(length: Int, stream: UInt32, type: UInt8) -> [UInt8] {
        let l = UInt32(length)
        return [UInt8(l >> 24), UInt8(l >> 16 & 0xff), UInt8(l >> 8 & 0xff), UInt8(l & 0xff),
                UInt8(stream >> 24), UInt8(stream >> 16 & 0xff), UInt8(stream >> 8 & 0xff), UInt8(stream & 0xff),
                type, 0]
    }

    /// Reads exactly `count` bytes; nil at end of stream or on error.
    static func readExactly(_ fd: Int32, _ count: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + done, count - done) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return nil }
            done += n
        }
        return buffer
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            done += n
        }
        return true
    }

    /// One frame: (stream id, type, data); nil at end of stream.
    static func readFrame(_ fd: Int32) -> (UInt32, UInt8, [UInt8])? {
        guard let h = readExactly(fd, 10) else { return nil }
        let length = Int(h[0]) << 24 | Int(h[1]) << 16 | Int(h[2]) << 8 | Int(h[3])
        let stream = UInt32(h[4]) << 24 | UInt32(h[5]) << 16 | UInt32(h[6]) << 8 | UInt32(h[7])
        guard length <= maxData else { return nil }
        guard let data = length == 0 ? [] : readExactly(fd, length) else { return nil }
        return (stream, h[8], data)
    }
}

/// A ttrpc server: every connection has a reader thread; every request runs on a concurrent
/// queue, so a blocking call (Wait) does not hold up the others (Kill).
public final class TTRPCServer: @unchecked Sendable {
    public typealias Handler = (_ service: String, _ method: String, _ payload: Data) throws -> Data

    private let listener: Int32
    private let handler: Handler
    private let queue = DispatchQueue(label: "skiff.shim.requests", attributes: .concurrent)
    public var log: (String) -> Void = { _ in }

    /// Serves on `listener`, a listening unix socket.
    public init(listener: Int32, handler: @escaping Handler) {
        self.listener = listener
        self.handler = handler
    }

    /// Accepts connections until the process exits.
    public func run() -> Never {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                log("accept: \(String(cString: strerror(errno)))")
                exit(1)
            }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            let thread = Thread { [self] in serve(fd) }
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        let writeLock = NSLock()
        defer { close(fd) }
        while let (stream, type, data) = TTRPCFrame.readFrame(fd) {
            guard type == TTRPCFrame.request else { continue }
            queue.async { [self] in
                var response = Ttrpc_Response()
                do {
                    let request = try Ttrpc_Request(serializedBytes: data)
                    response.payload = try handler(request.service, request.method, request.payload)
                } catch let error as TTRPCError {
                    response.status.code = error.code
                    response.status.message = error.message
                } catch {
                    response.status.code = 13
                    response.status.message = "\(error)"
                }
                let bytes: [UInt8] = (try? response.serializedBytes()) ?? []
                writeLock.lock()
                _ = TTRPCFrame.writeAll(fd, TTRPCFrame.header(length: bytes.count, stream: stream, type: TTRPCFrame.response) + bytes)
                writeLock.unlock()
            }
        }
    }
}

/// A ttrpc client for unary calls (the shim forwards its events to containerd with it).
public final class TTRPCClient: @unchecked Sendable {
    private let fd: Int32
    private var nextStream: UInt32 = 1
    private let lock = NSLock()

    public init(socketPath: String) throws {
        fd = try UnixSocket.connect(socketPath)
    }

    deinit { close(fd) }

    public func call(service: String, method: String, payload: Data, timeoutNanoseconds: Int64 = 5_000_000_000) throws -> Data {
        lock.lock()
        defer { lock.unlock() }
        var request = Ttrpc_Request()
        request.service = service
        request.method = method
        request.payload = payload
        request.timeoutNano = timeoutNanoseconds
        let bytes: [UInt8] = try request.serializedBytes()
        let stream = nextStream
        nextStream += 2
        guard TTRPCFrame.writeAll(fd, TTRPCFrame.header(length: bytes.count, stream: stream, type: TTRPCFrame.request) + bytes) else {
            throw TTRPCError.internalError("ttrpc: cannot send \(service)/\(method)")
        }
        while let (s, type, data) = TTRPCFrame.readFrame(fd) {
            guard s == stream, type == TTRPCFrame.response else { continue }
            let response = try Ttrpc_Response(serializedBytes: data)
            if response.hasStatus && response.status.code != 0 {
                throw TTRPCError(code: response.status.code, message: response.status.message)
            }
            return response.payload
        }
        throw TTRPCError.internalError("ttrpc: connection closed during \(service)/\(method)")
    }
}

/// glibc's POSIX_SPAWN_SETSID (2.26+), which Swift's Glibc module does not import.
public let posixSpawnSetSID: Int32 = 0x80

public enum UnixSocket {
    static func address(_ path: String) throws -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw TTRPCError.invalidArgument("socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            raw[bytes.count] = 0
        }
        return address
    }

    /// A listening socket at `path` (an old socket file there is replaced).
    public static func listen(_ path: String) throws -> Int32 {
        var address = try address(path)
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TTRPCError.internalError("socket: \(String(cString: strerror(errno)))") }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 64) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw TTRPCError.internalError("cannot listen on \(path): \(message)")
        }
        return fd
    }

    public static func connect(_ path: String) throws -> Int32 {
        var address = try address(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TTRPCError.internalError("socket: \(String(cString: strerror(errno)))") }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw TTRPCError.internalError("cannot connect to \(path): \(message)")
        }
        return fd
    }
}
