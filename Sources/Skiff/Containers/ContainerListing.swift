import Foundation

/// How `skiff ps` describes a container, in docker's words.
extension ContainerRecord {
    /// "Created", "Up 5 seconds", "Exited (0) 3 minutes ago".
    public func statusText(now: Date = Date()) -> String {
        switch state.status {
        case .created:
            return "Created"
        case .running:
            let since = Timestamp.parse(state.startedAt).map { now.timeIntervalSince($0) } ?? 0
            return "Up " + Timestamp.humanDuration(since)
        case .restarting:
            let since = Timestamp.parse(state.finishedAt).map { now.timeIntervalSince($0) } ?? 0
            return "Restarting (\(state.exitCode)) " + Timestamp.humanDuration(since) + " ago"
        case .exited:
            let since = Timestamp.parse(state.finishedAt).map { now.timeIntervalSince($0) } ?? 0
            return "Exited (\(state.exitCode)) " + Timestamp.humanDuration(since) + " ago"
        }
    }

    /// "2 minutes ago".
    public func createdText(now: Date = Date()) -> String {
        let since = Timestamp.parse(created).map { now.timeIntervalSince($0) } ?? 0
        return Timestamp.humanDuration(since) + " ago"
    }

    /// The command as docker ps quotes it, shortened to 20 characters.
    public var shortCommand: String {
        let full = commandLine
        return "\"" + (full.count > 20 ? String(full.prefix(19)) + "…" : full) + "\""
    }
}
