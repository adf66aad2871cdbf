import Foundation
import OCI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which container has each name: `$SKIFF_HOME/container-names/<name>` is a symlink to the
/// container's id. symlink(2) fails when the name exists, so reserving a name is atomic (two
/// `skiff run --name X` cannot both get X) and costs the same with one container or a thousand
/// (it used to mean reading every container's record at every `skiff run`).
///
/// A link whose container directory is gone (a Skiff killed while removing it) is stale and is
/// taken over. A store from before this index gets it built from the records on first use.
extension ContainerStore {
    var namesDirectory: String { (root as NSString).deletingLastPathComponent + "/container-names" }

    /// Reserves `name` for the container `id`, whose directory must exist already (so that the
    /// link is never stale while it is being made); false if another container has the name.
    func reserveName(_ name: String, for id: String) throws(SkiffError) -> Bool {
        try ensureNameIndex()
        let link = namesDirectory + "/" + name
        while true {
            if symlink(id, link) == 0 { return true }
            guard errno == EEXIST else {
                throw SkiffError(.io, "cannot reserve the container name \(name): \(String(cString: strerror(errno)))")
            }
            guard let owner = Self.readLink(link) else { continue } // removed meanwhile
            if owner == id { return true }
            if access(directory(owner), F_OK) == 0 { return false }
            // Stale: take it over, one process at a time, and only if it still names the same gone container.
            let fd = open(namesDirectory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0 else { throw SkiffError(.io, "cannot open \(namesDirectory): \(String(cString: strerror(errno)))") }
            flock(fd, LOCK_EX)
            if Self.readLink(link) == owner && access(directory(owner), F_OK) != 0 { unlink(link) }
            close(fd)
        }
    }

    /// Releases `name` if the container `id` has it.
    func releaseName(_ name: String, of id: String) {
        let link = namesDirectory + "/" + name
        if Self.readLink(link) == id { unlink(link) }
    }

    /// A docker-style name ("adjective_noun", or with a number when that is taken), reserved for
    /// the container `id`.
    func reserveGeneratedName(for id: String) throws(SkiffError) -> String {
        let adjectives = ["brave", "calm", "eager", "gentle", "happy", "jolly", "keen", "lucid", "merry", "nimble",
                          "proud", "quiet", "sharp", "steady", "swift", "tidy", "vivid", "witty", "young", "zealous"]
        let nouns = ["anchor", "bay", "beacon", "breeze", "buoy", "canal", "cove", "dock", "ferry", "harbor",
                     "keel", "lagoon", "mast", "oar", "pier", "reef", "rudder", "sail", "tide", "wharf"]
        while true {
            let name = "\(adjectives.randomElement()!)_\(nouns.randomElement()!)"
            if try reserveName(name, for: id) { return name }
            let numbered = "\(name)\(Int.random(in: 2...99))"
            if try reserveName(numbered, for: id) { return numbered }
        }
    }

    /// Builds the index from the containers' records if the store has none yet: in a directory
    /// of its own, renamed into place (a concurrent builder's index may win; both hold the same).
    private func ensureNameIndex() throws(SkiffError) {
        if access(namesDirectory, F_OK) == 0 { return }
        let temporary = namesDirectory + ".tmp-\(getpid())"
        _ = Self.removeTree(temporary)
        guard mkdir(temporary, 0o755) == 0 else {
            throw SkiffError(.io, "cannot create \(temporary): \(String(cString: strerror(errno)))")
        }
        for record in all() { symlink(record.id, temporary + "/" + record.name) }
        if rename(temporary, namesDirectory) != 0 {
            let e = errno
            _ = Self.removeTree(temporary)
            guard access(namesDirectory, F_OK) == 0 else {
                throw SkiffError(.io, "cannot create \(namesDirectory): \(String(cString: strerror(e)))")
            }
        }
    }

    private static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n >= 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
