// containerd-shim-skiff-v1: the containerd runtime v2 shim of Skiff (docs/containerd.md).
//
//   containerd-shim-skiff-v1 -namespace NS -address ADDR -publish-binary BIN -id ID start
//   containerd-shim-skiff-v1 -namespace NS -address ADDR -publish-binary BIN -id ID [-bundle DIR] delete
//
// `start` (run by containerd in the bundle directory) listens on a new unix socket, starts the
// shim daemon on it (this program again, action `serve`, in a session of its own), writes the
// address to the bundle's `address` file and prints it. The daemon serves containerd's task
// API over ttrpc until Shutdown. `delete` cleans up after a shim that died: it ends the task's
// process if any, unmounts the rootfs and prints a DeleteResponse.
import ContainerdShim
import Foundation
import SwiftProtobuf
#if canImport(Glibc)
import Glibc
#endif

var flags: [String: String] = [:]
var action = ""
var index = 1
let argv = CommandLine.arguments
while index < argv.count {
    let a = argv[index]
    if a.hasPrefix("-") {
        let name = String(a.drop(while: { $0 == "-" }))
        if name.contains("=") {
            let kv = name.split(separator: "=", maxSplits: 1).map(String.init)
            flags[kv[0]] = kv[1]
        } else if name == "debug" || name == "v" {
            flags[name] = "true"
        } else if index + 1 < argv.count {
            flags[name] = argv[index + 1]
            index += 1
        }
    } else {
        action = a
    }
    index += 1
}
if flags["v"] != nil { print("containerd-shim-skiff-v1 (Skiff)"); exit(0) }

let namespace = flags["namespace"] ?? "default"
let id = flags["id"] ?? ""
let bundle = flags["bundle"] ?? FileManager.default.currentDirectoryPath
let ttrpcAddress = ProcessInfo.processInfo.environment["TTRPC_ADDRESS"] ?? ((flags["address"] ?? "") + ".ttrpc")

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("containerd-shim-skiff-v1: \(message)\n".utf8))
    exit(1)
}

/// The `skiff` binary that runs tasks: $SKIFF_BINARY, else beside this executable.
func skiffBinary() -> String {
    if let s = ProcessInfo.processInfo.environment["SKIFF_BINARY"], !s.isEmpty { return s }
    let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? argv[0]
    return (me as NSString).deletingLastPathComponent + "/skiff"
}

/// A short socket path (unix socket paths are limited to 107 bytes), unique per containerd
/// address, namespace and container.
func socketPath() -> String {
    var hash: UInt64 = 0xcbf29ce484222325
    for b in "\(flags["address"] ?? "")|\(namespace)|\(id)".utf8 { hash = (hash ^ UInt64(b)) &* 0x100000001b3 }
    let directory = access("/run", W_OK) == 0 ? "/run/skiff-shim" : NSTemporaryDirectory() + "/skiff-shim"
    mkdir(directory, 0o700)
    return directory + "/" + String(hash, radix: 16) + ".sock"
}

switch action {
case "start":
    let path = socketPath()
    let listener: Int32
    do { listener = try UnixSocket.listen(path) } catch { fail("\(error)") }
    // The daemon: this executable again, its listening socket as descriptor 3, a new session,
    // its diagnostics in the bundle's shim.log.
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, bundle + "/shim.log", O_WRONLY | O_CREAT | O_APPEND, 0o600)
    posix_spawn_file_actions_adddup2(&actions, listener, 3)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    posix_spawnattr_setflags(&attributes, Int16(posixSpawnSetSID))
    var daemonArgs = [argv[0], "-namespace", namespace, "-id", id, "-address", flags["address"] ?? "", "-bundle", bundle,
                      "-socket", path]
    if flags["debug"] != nil { daemonArgs.append("-debug") }
    daemonArgs.append("serve")
    var cArgs = daemonArgs.map { strdup($0) } + [nil]
    var environment = ProcessInfo.processInfo.environment
    environment["TTRPC_ADDRESS"] = ttrpcAddress
    var cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? argv[0]
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, me, &actions, &attributes, &cArgs, &cEnv)
    guard spawned == 0 else { fail("cannot start the shim daemon: \(String(cString: strerror(spawned)))") }
    let address = "unix://" + path
    FileManager.default.createFile(atPath: bundle + "/address", contents: Data(address.utf8))
    print(address, terminator: "")
    exit(0)

case "serve":
    let log: (String) -> Void = { line in
        if flags["debug"] != nil { FileHandle.standardError.write(Data("[\(Date())] \(line)\n".utf8)) }
    }
    // containerd may be gone before the shim: writing to a closed FIFO must not kill it.
    signal(SIGPIPE, SIG_IGN)
    let publisher = EventPublisher(address: ttrpcAddress, namespace: namespace)
    publisher.log = { line in FileHandle.standardError.write(Data("\(line)\n".utf8)) }
    let service = TaskService(namespace: namespace, publisher: publisher, skiffBinary: skiffBinary())
    service.log = log
    service.shutdown = {
        publisher.flush()
        if let path = flags["socket"] { unlink(path) }
        exit(0)
    }
    let server = TTRPCServer(listener: 3) { name, method, payload in
        try service.handle(service: name, method: method, payload: payload)
    }
    server.log = log
    server.run()

case "delete":
    // containerd lost the shim: end whatever is left and report the task as killed.
    if let text = try? String(contentsOfFile: bundle + "/task.pid", encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0 {
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
    }
    _ = umount2(bundle + "/rootfs", Int32(MNT_DETACH))
    unlink(socketPath())
    var response = Containerd_Task_V2_DeleteResponse()
    response.exitStatus = 128 + UInt32(SIGKILL)
    response.exitedAt = Google_Protobuf_Timestamp(date: Date())
    let bytes = (try? response.serializedData()) ?? Data()
    FileHandle.standardOutput.write(bytes)
    exit(0)

default:
    fail("unknown action '\(action)' (start, delete)")
}
