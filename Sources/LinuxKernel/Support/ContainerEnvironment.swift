/// The environment a container's first process starts with when no image config gives one
/// (`skiff run --rootfs`, the WebAssembly build): PATH, HOSTNAME and HOME (and TERM when the
/// guest writes to a terminal), then the `-e` settings in order, later ones winning. `-e K` alone
/// takes K's value from the outside (the host's or the WASI environment), as docker does, and is
/// left out when the outside has no K.
public enum ContainerEnvironment {
    public static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    public static func make(_ settings: [String], hostname: String, terminal: Bool,
                            outside: (String) -> String?) -> [String] {
        var keys = ["PATH", "HOSTNAME", "HOME"]
        var values = [defaultPath, hostname, "/root"]
        if terminal { keys.append("TERM"); values.append("xterm") }
        for setting in settings {
            let key: String, value: String
            if let eq = setting.firstIndex(of: "=") {
                key = String(setting[..<eq])
                value = String(setting[setting.index(after: eq)...])
            } else {
                guard let v = outside(setting) else { continue }
                key = setting
                value = v
            }
            if let i = keys.firstIndex(of: key) { values[i] = value } else { keys.append(key); values.append(value) }
        }
        var result: [String] = []
        for i in 0..<keys.count { result.append(keys[i] + "=" + values[i]) }
        return result
    }
}
