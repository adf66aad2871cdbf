/// How the container reaches the network (`skiff run --network`).
public enum NetworkMode: Equatable {
    /// The host's network: guest AF_INET/AF_INET6 sockets are host sockets (docker's `--network host`).
    case host
    /// No network but loopback: 127.0.0.0/8 and ::1 inside the kernel, between the container's
    /// own processes; every other destination is unreachable (docker's `--network none`).
    case loopback
}

/// A guest TCP port published on the host (`-p HOSTPORT:GUESTPORT`) when the container has its
/// own loopback network: connections accepted on `hostListener` (a listening host socket the
/// caller created) are handed to whichever guest socket listens on `guestPort`.
public struct PublishedPort {
    public var hostListener: HostFD
    public var guestPort: UInt16
    public init(hostListener: HostFD, guestPort: UInt16) {
        self.hostListener = hostListener
        self.guestPort = guestPort
    }
}
