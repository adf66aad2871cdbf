/// An image configuration (OCI image config / Docker image JSON): how to run the image and the
/// ordered diff IDs of its layers. Fields Skiff does not model are kept by storing the raw bytes
/// in the content store; this is the typed view.
public struct ImageConfiguration: Codable, Hashable, Sendable {
    public var created: String?
    public var author: String?
    public var architecture: String
    public var os: String
    public var variant: String?
    public var osVersion: String?
    public var config: ContainerConfig?
    public var rootfs: RootFS
    public var history: [History]?

    enum CodingKeys: String, CodingKey {
        case created, author, architecture, os, variant, config, rootfs, history
        case osVersion = "os.version"
    }

    public struct ContainerConfig: Codable, Hashable, Sendable {
        public var User: String?
        public var Env: [String]?
        public var Entrypoint: [String]?
        public var Cmd: [String]?
        public var WorkingDir: String?
        public var Labels: [String: String]?
        public var StopSignal: String?
        public var ExposedPorts: [String: JSONValue]?
        public var Volumes: [String: JSONValue]?

        public init(User: String? = nil, Env: [String]? = nil, Entrypoint: [String]? = nil, Cmd: [String]? = nil,
                    WorkingDir: String? = nil, Labels: [String: String]? = nil) {
            self.User = User
            self.Env = Env
            self.Entrypoint = Entrypoint
            self.Cmd = Cmd
            self.WorkingDir = WorkingDir
            self.Labels = Labels
        }
    }

    public struct RootFS: Codable, Hashable, Sendable {
        public var type: String
        public var diff_ids: [Digest]
        public init(diffIDs: [Digest]) { type = "layers"; diff_ids = diffIDs }
    }

    public struct History: Codable, Hashable, Sendable {
        public var created: String?
        public var created_by: String?
        public var comment: String?
        public var empty_layer: Bool?
        public init(created: String? = nil, created_by: String? = nil, comment: String? = nil) {
            self.created = created
            self.created_by = created_by
            self.comment = comment
        }
    }

    public init(platform: Platform, config: ContainerConfig?, diffIDs: [Digest], created: String? = nil,
                history: [History]? = nil) {
        self.architecture = platform.architecture
        self.os = platform.os
        self.variant = platform.variant
        self.config = config
        self.rootfs = RootFS(diffIDs: diffIDs)
        self.created = created
        self.history = history
    }

    /// The platform the image was built for.
    public var platform: Platform { Platform(os: os, architecture: architecture, variant: variant) }
}
