/// Readers of the documents `skiff run` decodes at every start (the tag index, image manifests,
/// image configs) from a JSONReader tree, for `JSON.decode(_:from:what:quickly:)`. Each one reads
/// its type exactly as its Codable conformance does (required fields present and not null,
/// optional ones absent or null or of the right type, unknown fields ignored) and gives nil for
/// anything else, leaving the document to JSONDecoder. The Codable types stay the model; the
/// tests check that both readings agree.

extension Platform {
    init?(json: JSONValue) {
        guard let f = JSONFields(json),
              let os = f.required("os", JSONRead.string),
              let architecture = f.required("architecture", JSONRead.string),
              let variant = f.optional("variant", JSONRead.string),
              let osVersion = f.optional("os.version", JSONRead.string),
              let osFeatures = f.optional("os.features", JSONRead.strings) else { return nil }
        self.init(os: os, architecture: architecture)
        self.variant = variant // as decoded: an empty variant stays empty
        self.osVersion = osVersion
        self.osFeatures = osFeatures
    }
}

extension ImageRecord {
    init?(json: JSONValue) {
        guard let f = JSONFields(json),
              let name = f.required("name", JSONRead.string),
              let digest = f.required("digest", JSONRead.digest),
              let mediaType = f.required("mediaType", JSONRead.string),
              let platform = f.required("platform", Platform.init(json:)),
              let indexDigest = f.optional("indexDigest", JSONRead.digest),
              let created = f.required("created", JSONRead.string),
              let source = f.optional("source", JSONRead.string) else { return nil }
        self.init(name: name, digest: digest, mediaType: mediaType, platform: platform, indexDigest: indexDigest,
                  created: created, source: source)
    }
}

extension TagIndexFile {
    init?(json: JSONValue) {
        guard let f = JSONFields(json),
              let version = f.required("version", JSONRead.int),
              let images = f.required("images", { JSONRead.array($0, ImageRecord.init(json:)) }) else { return nil }
        self.init(version: version, images: images)
    }
}

extension Descriptor {
    init?(json: JSONValue) {
        guard let f = JSONFields(json),
              let mediaType = f.required("mediaType", JSONRead.string),
              let digest = f.required("digest", JSONRead.digest),
              let size = f.required("size", JSONRead.int64),
              let urls = f.optional("urls", JSONRead.strings),
              let annotations = f.optional("annotations", JSONRead.stringMap),
              let platform = f.optional("platform", Platform.init(json:)),
              let artifactType = f.optional("artifactType", JSONRead.string) else { return nil }
        self.init(mediaType: mediaType, digest: digest, size: size, annotations: annotations, platform: platform)
        self.urls = urls
        self.artifactType = artifactType
    }
}

extension Manifest {
    init?(json: JSONValue) {
        guard let f = JSONFields(json),
              let schemaVersion = f.required("schemaVersion", JSONRead.int),
              let mediaType = f.optional("mediaType", JSONRead.string),
              let artifactType = f.optional("artifactType", JSONRead.string),
              let config = f.required("config", Descriptor.init(json:)),
              let layers = f.required("layers", { JSONRead.array($0, Descriptor.init(json:)) }),
              let subject = f.optional("subject", Descriptor.init(json:)),
              let annotations = f.optional("annotations", JSONRead.stringMap) else { return nil }
        self.init(mediaType: "", config: config, layers: layers, annotations: annotations)
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
        self.artifactType = artifactType
        self.subject = subject
    }
}

extension ImageConfiguration {
    init?(json: JSONValue) {
        guard let f = JSONFields(json),
              let created = f.optional("created", JSONRead.string),
              let author = f.optional("author", JSONRead.string),
              let architecture = f.required("architecture", JSONRead.string),
              let os = f.required("os", JSONRead.string),
              let variant = f.optional("variant", JSONRead.string),
              let osVersion = f.optional("os.version", JSONRead.string),
              let config = f.optional("config", ContainerConfig.init(json:)),
              let rootfs = f.required("rootfs", RootFS.init(json:)),
              let history = f.optional("history", { JSONRead.array($0, History.init(json:)) }) else { return nil }
        self.init(platform: Platform(os: os, architecture: architecture), config: config, diffIDs: [], created: created,
                  history: history)
        self.author = author
        self.variant = variant
        self.osVersion = osVersion
        self.rootfs = rootfs
    }
}

extension ImageConfiguration.ContainerConfig {
    init?(json: JSONValue) {
        guard let f = JSONFields(json),
              let user = f.optional("User", JSONRead.string),
              let env = f.optional("Env", JSONRead.strings),
              let entrypoint = f.optional("Entrypoint", JSONRead.strings),
              let cmd = f.optional("Cmd", JSONRead.strings),
              let workingDir = f.optional("WorkingDir", JSONRead.string),
              let labels = f.optional("Labels", JSONRead.stringMap),
              let stopSignal = f.optional("StopSignal", JSONRead.string),
              let exposedPorts = f.optional("ExposedPorts", JSONRead.valueMap),
              let volumes = f.optional("Volumes", JSONRead.valueMap) else { return nil }
        self.init(User: user, Env: env, Entrypoint: entrypoint, Cmd: cmd, WorkingDir: workingDir, Labels: labels)
        self.StopSignal = stopSignal
        self.ExposedPorts = exposedPorts
        self.Volumes = volumes
    }
}

extension ImageConfiguration.RootFS {
    init?(json: JSONValue) {
        guard let f = JSONFields(json),
              let type = f.required("type", JSONRead.string),
              let diffIDs = f.required("diff_ids", { JSONRead.array($0, JSONRead.digest) }) else { return nil }
        self.init(diffIDs: diffIDs)
        self.type = type
    }
}

extension ImageConfiguration.History {
    init?(json: JSONValue) {
        guard let f = JSONFields(json),
              let created = f.optional("created", JSONRead.string),
              let createdBy = f.optional("created_by", JSONRead.string),
              let comment = f.optional("comment", JSONRead.string),
              let emptyLayer = f.optional("empty_layer", JSONRead.bool) else { return nil }
        self.init(created: created, created_by: createdBy, comment: comment)
        self.empty_layer = emptyLayer
    }
}
