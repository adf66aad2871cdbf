/// The environment a container's first process starts with when no image config gives one
/// (`skiff run --rootfs`, the WebAssembly build): PATH, HOSTNAME and HOME (and TERM when the
/// guest writes to a terminal), then the `-e` settings in order, later ones winning. `-e K` alone
/// takes K's value from the outside (the host's or the WASI environment), as docker does, and is
/// left out when the outside has no K.
public enum ContainerEnvironment {
    public static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    public static func make(_ settings: [String], hostname: String, terminal: Bool,
                            outside: (String) -> String?) -> [String] {
        var base = ["PATH=" + defaultPath, "HOSTNAME=" + hostname, "HOME=/root"]
        if terminal { base.append("TERM=xterm") }
        return merge(base, settings, outside: outside)
    }

    /// `base` (KEY=VALUE entries) with `settings` applied in order: a later KEY replaces the
    /// earlier value in place; `K` alone takes the outside's value (left out when it has none).
    public static func merge(_ base: [String], _ settings: [String], outside: (String) -> String?) -> [String] {
        var keys: [String] = []
        var values: [String] = []
        func set(_ key: String, _ value: String) {
            if let i = keys.firstIndex(of: key) { values[i] = value } else { keys.append(key); values.append(value) }
        }
        for setting in base + settings {
            if let eq = setting.firstIndex(of: "=") {
                set(String(setting[..<eq]), String(setting[setting.index(after: eq)...]))
            } else if let v = outside(setting) {
                set(setting, v)
            }
        }
        var result: [String] = []
        for i in 0..<keys.count { result.append(keys[i] + "=" + values[i]) }
        return result
    }
}
