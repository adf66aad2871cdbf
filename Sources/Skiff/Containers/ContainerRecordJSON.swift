import OCI

/// `config.json` of a container written and read by hand: JSONEncoder and JSONDecoder cost a
/// noticeable part of a container's start (the first use of the Codable machinery instantiates
/// its generic metadata through conformance scans over the whole binary). The Codable
/// conformance stays the model: what `init?(json:)` cannot read exactly as JSONDecoder would, it
/// leaves to JSONDecoder (see JSONReader), and the tests check that the written record decodes
/// to the same record both ways and has the same members as JSONEncoder's output, so a field
/// added to ContainerRecord cannot be forgotten here.
extension ContainerRecord {
    /// The record as JSON (keys sorted, two-space indentation, absent optionals left out, as
    /// JSONEncoder writes it).
    func jsonBytes() -> [UInt8] {
        var w = JSONTextWriter()
        w.object { w in
            w.member("autoRemove") { $0.bool(autoRemove) }
            w.member("created") { $0.string(created) }
            w.member("hostname") { $0.string(hostname) }
            w.member("id") { $0.string(id) }
            w.member("image") { $0.string(image) }
            w.member("imageDigest") { $0.string(imageDigest) }
            w.member("imageName") { $0.string(imageName) }
            w.member("labels") { w in
                w.object { w in for key in labels.keys.sorted() { w.member(key) { $0.string(labels[key]!) } } }
            }
            if let limits {
                w.member("limits") { w in
                    w.object { w in
                        if let memory = limits.memory { w.member("memory") { $0.integer(memory) } }
                        if let pids = limits.pids { w.member("pids") { $0.integer(pids) } }
                        if let storage = limits.storage { w.member("storage") { $0.integer(storage) } }
                    }
                }
            }
            w.member("mounts") { w in
                w.array(mounts) { w, m in
                    w.object { w in
                        w.member("readOnly") { $0.bool(m.readOnly) }
                        w.member("source") { $0.string(m.source) }
                        w.member("target") { $0.string(m.target) }
                    }
                }
            }
            w.member("name") { $0.string(name) }
            if let network {
                w.member("network") { w in
                    w.object { w in
                        w.member("mode") { $0.string(network.mode) }
                        w.member("publish") { $0.strings(network.publish) }
                    }
                }
            }
            w.member("process") { w in
                w.object { w in
                    w.member("arguments") { $0.strings(process.arguments) }
                    w.member("environment") { $0.strings(process.environment) }
                    w.member("gid") { $0.integer(process.gid) }
                    w.member("groups") { $0.array(process.groups) { $0.integer($1) } }
                    w.member("interactive") { $0.bool(process.interactive) }
                    w.member("uid") { $0.integer(process.uid) }
                    w.member("userSpec") { $0.string(process.userSpec) }
                    w.member("workingDirectory") { $0.string(process.workingDirectory) }
                }
            }
            w.member("readOnly") { $0.bool(readOnly) }
            if let reapsOrphans { w.member("reapsOrphans") { $0.bool(reapsOrphans) } }
            if let restartPolicy { w.member("restartPolicy") { $0.string(restartPolicy) } }
            w.member("state") { w in
                w.object { w in
                    w.member("exitCode") { $0.integer(state.exitCode) }
                    if let finishedAt = state.finishedAt { w.member("finishedAt") { $0.string(finishedAt) } }
                    if let pid = state.pid { w.member("pid") { $0.integer(pid) } }
                    if let restartCount = state.restartCount { w.member("restartCount") { $0.integer(restartCount) } }
                    if let startedAt = state.startedAt { w.member("startedAt") { $0.string(startedAt) } }
                    w.member("status") { $0.string(state.status.rawValue) }
                }
            }
            w.member("tmpfs") { $0.strings(tmpfs) }
            if let tty { w.member("tty") { $0.bool(tty) } }
        }
        return w.bytes + [0x0a]
    }
}

extension ContainerRecord {
    init?(json: JSONValue) {
        guard let f = JSONFields(json),
              let id = f.required("id", JSONRead.string),
              let name = f.required("name", JSONRead.string),
              let created = f.required("created", JSONRead.string),
              let image = f.required("image", JSONRead.string),
              let imageName = f.required("imageName", JSONRead.string),
              let imageDigest = f.required("imageDigest", JSONRead.string),
              let process = f.required("process", ProcessSpec.init(json:)),
              let hostname = f.required("hostname", JSONRead.string),
              let readOnly = f.required("readOnly", JSONRead.bool),
              let tmpfs = f.required("tmpfs", JSONRead.strings),
              let mounts = f.required("mounts", { JSONRead.array($0, BindMount.init(json:)) }),
              let autoRemove = f.required("autoRemove", JSONRead.bool),
              let labels = f.required("labels", JSONRead.stringMap),
              let limits = f.optional("limits", Limits.init(json:)),
              let network = f.optional("network", NetworkSettings.init(json:)),
              let tty = f.optional("tty", JSONRead.bool),
              let reapsOrphans = f.optional("reapsOrphans", JSONRead.bool),
              let restartPolicy = f.optional("restartPolicy", JSONRead.string),
              let state = f.required("state", State.init(json:)) else { return nil }
        self.init(id: id, name: name, created: created, image: image, imageName: imageName, imageDigest: imageDigest,
                  process: process, hostname: hostname, readOnly: readOnly, tmpfs: tmpfs, mounts: mounts,
                  autoRemove: autoRemove, labels: labels, limits: limits, network: network, tty: tty,
                  reapsOrphans: reapsOrphans, state: state, restartPolicy: restartPolicy)
    }
}

extension ContainerRecord.ProcessSpec {
    init?(json: JSONValue) {
        guard let f = JSONFields(json),
              let arguments = f.required("arguments", JSONRead.strings),
              let environment = f.required("environment", JSONRead.strings),
              let workingDirectory = f.required("workingDirectory", JSONRead.string),
              let userSpec = f.required("userSpec", JSONRead.string),
              let uid = f.required("uid", uint32),
              let gid = f.required("gid", uint32),
              let groups = f.required("groups", { JSONRead.array($0, uint32) }),
              let interactive = f.required("interactive", JSONRead.bool) else { return nil }
        self.init(arguments: arguments, environment: environment, workingDirectory: workingDirectory, userSpec: userSpec,
                  uid: uid, gid: gid, groups: groups, interactive: interactive)
    }
}

extension ContainerRecord.BindMount {
    init?(json: JSONValue) {
        guard let f = JSONFields(json),
              let source = f.required("source", JSONRead.string),
              let target = f.required("target", JSONRead.string),
              let readOnly = f.required("readOnly", JSONRead.bool) else { return nil }
        self.init(source: source, target: target, readOnly: readOnly)
    }
}

extension ContainerRecord.Limits {
    init?(json: JSONValue) {
        guard let f = JSONFields(json),
              let memory = f.optional("memory", { JSONRead.int64($0).flatMap { UInt64(exactly: $0) } }),
              let pids = f.optional("pids", JSONRead.int),
              let storage = f.optional("storage", { JSONRead.int64($0).flatMap { UInt64(exactly: $0) } }) else { return nil }
        self.init(memory: memory, pids: pids, storage: storage)
    }
}

extension ContainerRecord.NetworkSettings {
    init?(json: JSONValue) {
        guard let f = JSONFields(json),
              let mode = f.required("mode", JSONRead.string),
              let publish = f.required("publish", JSONRead.strings) else { return nil }
        self.init(mode: mode, publish: publish)
    }
}

extension ContainerRecord.State {
    init?(json: JSONValue) {
        guard let f = JSONFields(json),
              let status = f.required("status", { JSONRead.string($0).flatMap(Status.init(rawValue:)) }),
              let exitCode = f.required("exitCode", int32),
              let startedAt = f.optional("startedAt", JSONRead.string),
              let finishedAt = f.optional("finishedAt", JSONRead.string),
              let pid = f.optional("pid", int32),
              let restartCount = f.optional("restartCount", JSONRead.int) else { return nil }
        self.init(status: status, exitCode: exitCode, startedAt: startedAt, finishedAt: finishedAt, pid: pid,
                  restartCount: restartCount)
    }
}

private func uint32(_ v: JSONValue) -> UInt32? { JSONRead.int64(v).flatMap { UInt32(exactly: $0) } }
private func int32(_ v: JSONValue) -> Int32? { JSONRead.int64(v).flatMap { Int32(exactly: $0) } }
