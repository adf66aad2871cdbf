import ArgumentParser
import Foundation
import OCI

struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Check and save credentials for a registry (in $SKIFF_HOME/auth.json, mode 0600).",
        discussion: "Skiff also reads docker's ~/.docker/config.json (auths entries).")

    @Option(name: .shortAndLong, help: "User name (asked for when omitted).")
    var username: String?

    @Flag(name: .long, help: "Read the password from standard input.")
    var passwordStdin = false

    @Argument(help: "The registry, e.g. localhost:5000 or docker.io.")
    var server: String

    @OptionGroup var registry: RegistryFlags
    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await reportingErrors(debug: storeOptions.debug) {
            let store = try storeOptions.setUp()
            let host = try registryHost(server)
            guard let user = username ?? prompt("Username: "), !user.isEmpty else {
                throw SkiffError(.invalidArgument, "no user name given (use -u USER)")
            }
            let password: String
            if passwordStdin {
                var text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
                while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
                password = text
            } else {
                guard isatty(0) != 0 else {
                    throw SkiffError(.invalidArgument, "standard input is not a terminal: use --password-stdin")
                }
                password = readPassword("Password: ")
            }
            guard !password.isEmpty else { throw SkiffError(.invalidArgument, "the password is empty") }
            let credentials = Credentials(username: user, password: password)
            try await verifyLogin(credentials, registry: host, options: registry.options)
            let credentialStore = CredentialStore(store: store)
            try credentialStore.save(credentials, registry: host)
            print("Login Succeeded (\(user) on \(host); saved in \(credentialStore.skiffPath))")
        }
    }
}

struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logout", abstract: "Forget the credentials skiff login saved for a registry.")

    @Argument(help: "The registry.")
    var server: String

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await reportingErrors(debug: storeOptions.debug) {
            let store = try storeOptions.setUp()
            let host = try registryHost(server)
            if try CredentialStore(store: store).remove(registry: host) {
                print("Removed the credentials for \(host)")
            } else {
                print("No credentials saved for \(host)")
            }
        }
    }
}

/// `localhost:5000`, `https://index.docker.io/v1/` or `docker.io` as the registry references use.
private func registryHost(_ s: String) throws -> String {
    var host = s
    for prefix in ["https://", "http://"] where host.hasPrefix(prefix) { host.removeFirst(prefix.count) }
    if let slash = host.firstIndex(of: "/") { host = String(host[..<slash]) }
    if ["index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"].contains(host) { host = "docker.io" }
    // Validate through the reference parser: HOST/x must name HOST as the registry.
    let ref = try ImageReference(parsing: host + "/x")
    guard ref.registry == host || (host == "docker.io" && ref.registry == "docker.io") else {
        throw SkiffError(.invalidArgument, "'\(s)' is not a registry host (expected e.g. localhost:5000 or registry.example.com)")
    }
    return host
}

private func prompt(_ text: String) -> String? {
    FileHandle.standardError.write(Data(text.utf8))
    return readLine()
}

/// Reads a line from the terminal with echo turned off.
private func readPassword(_ text: String) -> String {
    FileHandle.standardError.write(Data(text.utf8))
    var old = termios()
    tcgetattr(0, &old)
    var quiet = old
    quiet.c_lflag &= ~tcflag_t(ECHO)
    tcsetattr(0, TCSAFLUSH, &quiet)
    defer {
        tcsetattr(0, TCSAFLUSH, &old)
        FileHandle.standardError.write(Data("\n".utf8))
    }
    return readLine() ?? ""
}
