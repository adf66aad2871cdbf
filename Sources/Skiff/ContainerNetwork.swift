import LinuxKernel
import OCI
import PosixHost

/// A container's network settings as `docker run` takes them: `--network host|none` and
/// `-p [HOSTIP:]HOSTPORT:GUESTPORT[/tcp]`.
public struct ContainerNetwork: Equatable {
    public var mode = NetworkMode.host
    public var publishedPorts: [PortPublication] = []
    public init() {}

    /// `--network` values: "host" (the default: guest sockets are host sockets) and "none"
    /// (a loopback network of the container's own).
    public static func mode(_ name: String) throws(SkiffError) -> NetworkMode {
        switch name {
        case "host", "default": return .host
        case "none": return .loopback
        default: throw SkiffError(.invalidArgument, "network \(name): not supported (use host or none)")
        }
    }

    /// Listens on the host for every published port and gives the kernel the listeners.
    /// Published ports only make sense with a network of the container's own (`none`); with the
    /// host's network a guest server is reachable on its own port already, and docker ignores
    /// `-p` the same way (with a warning, which `warn` receives).
    public func configure(_ kernel: inout KernelConfiguration, host: PosixHost, warn: (String) -> Void) throws(SkiffError) {
        kernel.network = mode
        if publishedPorts.isEmpty { return }
        if mode == .host {
            warn("published ports are discarded with --network host (the guest's ports are the host's)")
            return
        }
        for p in publishedPorts {
            kernel.publishedPorts.append(PublishedPort(hostListener: try p.listen(host), guestPort: p.guestPort))
        }
    }
}

/// One `-p` publication: the host address and port Skiff listens on, and the guest TCP port
/// its connections go to.
public struct PortPublication: Equatable {
    public var hostAddress: String
    public var hostPort: UInt16
    public var guestPort: UInt16

    public init(hostAddress: String = "0.0.0.0", hostPort: UInt16, guestPort: UInt16) {
        self.hostAddress = hostAddress
        self.hostPort = hostPort
        self.guestPort = guestPort
    }

    /// Parses `[HOSTIP:]HOSTPORT:GUESTPORT[/tcp]` (docker's syntax; UDP is not supported).
    public static func parse(_ text: String) throws(SkiffError) -> PortPublication {
        var spec = Substring(text)
        if let slash = spec.lastIndex(of: "/") {
            let proto = spec[spec.index(after: slash)...]
            if proto != "tcp" { throw SkiffError(.invalidArgument, "-p \(text): only tcp ports can be published") }
            spec = spec[..<slash]
        }
        var parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        var address = "0.0.0.0"
        if parts.count == 3 {
            address = parts.removeFirst()
            if address.isEmpty { address = "0.0.0.0" }
        }
        guard parts.count == 2, let hostPort = UInt16(parts[0]), let guestPort = UInt16(parts[1]),
              hostPort > 0, guestPort > 0, ipv4Bytes(address) != nil else {
            throw SkiffError(.invalidArgument, "-p \(text): expected [HOSTIP:]HOSTPORT:GUESTPORT[/tcp] with ports 1-65535 and an IPv4 host address")
        }
        return PortPublication(hostAddress: address, hostPort: hostPort, guestPort: guestPort)
    }

    static func ipv4Bytes(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for p in parts {
            guard let b = UInt8(p) else { return nil }
            bytes.append(b)
        }
        return bytes
    }

    /// A listening host TCP socket on the host address and port.
    func listen(_ host: PosixHost) throws(SkiffError) -> HostFD {
        let where_ = "\(hostAddress):\(hostPort)"
        do throws(Errno) {
            let fd = try host.socket(family: SocketAddress.inet, type: 1, protocol: 6)
            do throws(Errno) {
                try host.setSocketOption(fd, .reuseAddress, 1)
                try host.bind(fd, to: SocketAddress(family: SocketAddress.inet, address: PortPublication.ipv4Bytes(hostAddress)!, port: hostPort))
                try host.listen(fd, backlog: 128)
            } catch {
                host.close(fd)
                throw error
            }
            return fd
        } catch {
            let reason = error == .EADDRINUSE ? "address already in use" : error == .EACCES ? "permission denied" : error.name
            throw SkiffError(.invalidArgument, "-p: cannot listen on \(where_): \(reason)")
        }
    }
}
