import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The control socket's two ends: the skiff process running a container listens on
/// `DIRECTORY/control.sock`; clients (`skiff exec`, containerd's shim) connect to it.
public enum ControlSocket {
    public struct Failure: Error {
        /// What failed ("socket", "connect", "send") and the errno it failed with.
        public var step: String
        public var errno: Int32
        public var reason: String { String(cString: strerror(errno)) }
    }

    /// Binds and listens on `directory/control.sock` (mode 0600, non-blocking, close-on-exec),
    /// replacing a stale one; nil if that fails.
    public static func listen(directory: String) -> Int32? {
        let dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dirFD >= 0 else { return nil }
        defer { closeFD(dirFD) }
        unlink(directory + "/control.sock")
        let fd = socket(AF_UNIX, streamSocket, 0)
        guard fd >= 0 else { return nil }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let bound = withControlAddress(dirFD, directory) { bind(fd, $0, $1) }
        guard bound == 0, listenSocket(fd, 16) == 0 else { closeFD(fd); return nil }
        chmod(directory + "/control.sock", 0o600)
        return fd
    }

    /// Connects to `directory/control.sock` and sends `request` with `descriptors`; returns the
    /// connection to read the answer from.
    public static func send(directory: String, _ request: ControlRequest, descriptors: [Int32] = []) throws(Failure) -> Int32 {
        let dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dirFD >= 0 else { throw Failure(step: "open", errno: errno) }
        defer { closeFD(dirFD) }
        let fd = socket(AF_UNIX, streamSocket, 0)
        guard fd >= 0 else { throw Failure(step: "socket", errno: errno) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        let connected = withControlAddress(dirFD, directory) { socketConnect(fd, $0, $1) }
        guard connected == 0 else {
            let e = errno
            closeFD(fd)
            throw Failure(step: "connect", errno: e)
        }
        guard ControlMessage.send(fd, request.json, descriptors: descriptors) else {
            let e = errno
            closeFD(fd)
            throw Failure(step: "send", errno: e)
        }
        return fd
    }

    /// One line of the answer (without its newline), read byte by byte so that what follows
    /// stays unread; nil at the end of the connection.
    public static func readLine(_ connection: Int32) -> String? {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let n = read(connection, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return line.isEmpty ? nil : String(decoding: line, as: UTF8.self) }
            if byte == 10 { return String(decoding: line, as: UTF8.self) }
            line.append(byte)
        }
    }

    /// The rest of the answer (until the connection closes); the connection is closed.
    public static func readAll(_ connection: Int32) -> String {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(connection, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        closeFD(connection)
        return String(decoding: out, as: UTF8.self)
    }
}

/// The socket's address: through /proc/self/fd where there is one (a container directory's path
/// can be longer than a unix socket address allows).
private func withControlAddress<T>(_ directory: Int32, _ directoryPath: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let viaProc = "/proc/self/fd/\(directory)/control.sock"
    let path = access("/proc/self/fd", F_OK) == 0 ? viaProc : directoryPath + "/control.sock"
    let bytes = Array(path.utf8.prefix(MemoryLayout.size(ofValue: address.sun_path) - 1))
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        for (i, b) in bytes.enumerated() { raw[i] = b }
        raw[bytes.count] = 0
    }
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
}


/// One request on the wire: length, JSON, descriptors.
public enum ControlMessage {
    public static func send(_ connection: Int32, _ object: [String: Any], descriptors: [Int32]) -> Bool {
        guard let json = try? JSONSerialization.data(withJSONObject: object) else { return false }
        var payload = withUnsafeBytes(of: UInt32(json.count).bigEndian) { Array($0) } + Array(json)
        let space = Int(CMSG_SPACE_(descriptors.count * MemoryLayout<Int32>.size))
        var control = [UInt8](repeating: 0, count: max(space, 1))
        return payload.withUnsafeMutableBytes { bytes -> Bool in
            control.withUnsafeMutableBytes { controlBytes -> Bool in
                withMessage(bytes, controlBytes) { message -> Bool in
                    if descriptors.isEmpty {
                        message.msg_control = nil
                        message.msg_controllen = 0
                    } else {
                        message.msg_controllen = .init(space)
                        let header = controlBytes.baseAddress!.assumingMemoryBound(to: cmsghdr.self)
                        header.pointee.cmsg_level = SOL_SOCKET
                        header.pointee.cmsg_type = Int32(SCM_RIGHTS)
                        header.pointee.cmsg_len = .init(CMSG_LEN_(descriptors.count * MemoryLayout<Int32>.size))
                        let data = controlBytes.baseAddress! + MemoryLayout<cmsghdr>.size
                        for (i, fd) in descriptors.enumerated() { data.storeBytes(of: fd, toByteOffset: i * 4, as: Int32.self) }
                    }
                    // The rest of a long request follows without descriptors.
                    var sent = sendmsg(connection, &message, noSignal)
                    guard sent > 0 else { return false }
                    while sent < bytes.count {
                        let n = sendNoSignal(connection, bytes.baseAddress! + sent, bytes.count - sent)
                        guard n > 0 else { return false }
                        sent += n
                    }
                    return true
                }
            }
        }
    }

    /// A one-buffer msghdr over `bytes` with `control` for ancillary data (sendmsg, recvmsg).
    private static func withMessage<T>(_ bytes: UnsafeMutableRawBufferPointer, _ control: UnsafeMutableRawBufferPointer,
                                       _ body: (inout msghdr) -> T) -> T {
        var iov = iovec(iov_base: bytes.baseAddress, iov_len: bytes.count)
        return withUnsafeMutablePointer(to: &iov) { iovPointer -> T in
            var message = msghdr()
            message.msg_iov = iovPointer
            message.msg_iovlen = 1
            message.msg_control = control.baseAddress
            message.msg_controllen = .init(control.count)
            return body(&message)
        }
    }

    /// The request and the descriptors that came with it; nil if it is malformed or late.
    public static func receive(_ connection: Int32) -> ([String: Any], [Int32])? {
        var received: [UInt8] = []
        var descriptors: [Int32] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var control = [UInt8](repeating: 0, count: Int(CMSG_SPACE_(8 * MemoryLayout<Int32>.size)))
        while true {
            if received.count >= 4 {
                let length = Int(received[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
                if length > 1 << 20 { break }
                if received.count >= 4 + length {
                    guard let object = try? JSONSerialization.jsonObject(with: Data(received[4..<(4 + length)])) as? [String: Any] else { break }
                    return (object, descriptors)
                }
            }
            let n = buffer.withUnsafeMutableBytes { bytes -> Int in
                control.withUnsafeMutableBytes { controlBytes -> Int in
                    withMessage(bytes, controlBytes) { message -> Int in
                        let n = recvmsg(connection, &message, Int32(MSG_CMSG_CLOEXEC_))
                        if n > 0 && message.msg_controllen >= MemoryLayout<cmsghdr>.size {
                            let header = controlBytes.baseAddress!.assumingMemoryBound(to: cmsghdr.self)
                            if header.pointee.cmsg_level == SOL_SOCKET && header.pointee.cmsg_type == Int32(SCM_RIGHTS) {
                                let count = (Int(header.pointee.cmsg_len) - MemoryLayout<cmsghdr>.size) / 4
                                let data = controlBytes.baseAddress! + MemoryLayout<cmsghdr>.size
                                for i in 0..<count { descriptors.append(data.load(fromByteOffset: i * 4, as: Int32.self)) }
                            }
                        }
                        return n
                    }
                }
            }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            received += buffer[0..<n]
        }
        for fd in descriptors { closeFD(fd) }
        return nil
    }
}

private func socketConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    #if canImport(Glibc)
    return Glibc.connect(fd, address, length)
    #else
    return Darwin.connect(fd, address, length)
    #endif
}

private func sendNoSignal(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { send(fd, p, n, noSignal) }
private func CMSG_LEN_(_ n: Int) -> Int { MemoryLayout<cmsghdr>.size + n }
private func CMSG_SPACE_(_ n: Int) -> Int { MemoryLayout<cmsghdr>.size + (n + 7) & ~7 }
#if canImport(Glibc)
private let MSG_CMSG_CLOEXEC_ = Int32(MSG_CMSG_CLOEXEC)
package let noSignal = Int32(MSG_NOSIGNAL)
private let streamSocket = Int32(SOCK_STREAM.rawValue)
#else
// (No MSG_NOSIGNAL: a peer that went away raises SIGPIPE, which the server ignores through HostSignals.)
private let MSG_CMSG_CLOEXEC_: Int32 = 0
package let noSignal: Int32 = 0
private let streamSocket = SOCK_STREAM
#endif

/// close(2) where its result does not matter (also used by Skiff's control server and client).
package func closeFD(_ fd: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(fd)
    #else
    _ = Darwin.close(fd)
    #endif
}

private func listenSocket(_ fd: Int32, _ backlog: Int32) -> Int32 {
    #if canImport(Glibc)
    return Glibc.listen(fd, backlog)
    #else
    return Darwin.listen(fd, backlog)
    #endif
}
