import ArgumentParser
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import OCI
import Skiff

/// `skiff serve DIR`: a small static HTTP server for a site written by `skiff convert --web`.
/// The page needs no special headers (it waits with JSPI, not SharedArrayBuffer: docs/web.md);
/// this server still sends the cross-origin isolation headers (COOP/COEP), so a page that wants
/// SharedArrayBuffer works too, and `application/wasm` for modules (streaming compilation).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a directory (a site made by skiff convert --web) over HTTP on 127.0.0.1.",
        usage: "skiff serve DIR [--port N] [--address A] [--network none|host] [--registry-proxy]",
        discussion: "Serves DIR's files (GET and HEAD) until interrupted; prints the URL first. With --network host, the page's containers make TCP connections from this machine through the server. With --registry-proxy, the page's ?image= pulls go through the server, so registries without CORS headers (Docker Hub) work. See docs/web.md.")

    @Option(name: .customLong("port"), help: "Port to listen on (0: any free port).")
    var port = 8080

    @Option(name: .customLong("address"), help: "Address to listen on.")
    var address = "127.0.0.1"

    @Option(name: .customLong("network"), help: "none: the page's containers have only their own loopback network; host: their TCP connections are made from this machine (as docker run --network host).")
    var network = "none"

    @Flag(name: .customLong("registry-proxy"), help: "Forward the page's image pulls (?image=) to registries, with skiff's credentials: for registries that send no CORS headers.")
    var registryProxy = false

    @Argument(help: "The directory to serve.")
    var directory: String

    func run() async throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            FileHandle.standardError.write("skiff: \(directory) is not a directory\n".data(using: .utf8)!)
            throw ExitCode(125)
        }
        guard network == "none" || network == "host" else {
            FileHandle.standardError.write("skiff: --network \(network) is not supported by serve: use none or host\n".data(using: .utf8)!)
            throw ExitCode(125)
        }
        let relay = network == "host"
        let proxy = registryProxy ? ServeRegistryProxy(credentials: CredentialStore(store: try ImageStore.openDefault())) : nil
        let root = URL(fileURLWithPath: directory).standardizedFileURL.resolvingSymlinksInPath().path
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let upgrade: NIOHTTPServerUpgradeConfiguration? = relay
                        ? (upgraders: [ServeNetworkRelay.upgrader(staticHandlerName: "static")], completionHandler: { _ in })
                        : nil
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withServerUpgrade: upgrade)
                    try channel.pipeline.syncOperations.addHandler(StaticFileHandler(root: root, relay: relay, proxy: proxy), name: "static")
                }
            }
        let channel: Channel
        do {
            channel = try await bootstrap.bind(host: address, port: port).get()
        } catch {
            FileHandle.standardError.write("skiff: cannot listen on \(address):\(port): \(error)\n".data(using: .utf8)!)
            throw ExitCode(125)
        }
        let bound = channel.localAddress?.port ?? port
        // Unbuffered (print() holds output back when stdout is a pipe): scripts wait for this line.
        FileHandle.standardOutput.write("serving \(root) at http://\(address):\(bound)/\n".data(using: .utf8)!)
        if relay {
            FileHandle.standardError.write("skiff: --network host: the page's containers connect to any address this machine reaches\n".data(using: .utf8)!)
        }
        try await channel.closeFuture.get()
    }
}

/// GET/HEAD of the files under `root`; a directory serves its index.html.
final class StaticFileHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let root: String
    /// `--network host`: GET of the relay's path says it is there (the page's worker asks).
    let relay: Bool
    /// `--registry-proxy`: registry reads under its prefix are forwarded.
    let proxy: ServeRegistryProxy?
    private var request: HTTPRequestHead?

    init(root: String, relay: Bool, proxy: ServeRegistryProxy?) {
        self.root = root
        self.relay = relay
        self.proxy = proxy
    }

    static let types = [
        "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "mjs": "text/javascript; charset=utf-8",
        "css": "text/css; charset=utf-8", "json": "application/json", "wasm": "application/wasm", "png": "image/png",
        "svg": "image/svg+xml", "txt": "text/plain; charset=utf-8", "ico": "image/x-icon",
    ]

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): request = head
        case .body: break
        case .end:
            if let head = request { respond(context, head) }
            request = nil
        }
    }

    private func respond(_ context: ChannelHandlerContext, _ head: HTTPRequestHead) {
        guard head.method == .GET || head.method == .HEAD else {
            return simple(context, head, .methodNotAllowed, "method not allowed\n")
        }
        if head.uri == ServeNetworkRelay.path {
            return relay ? simple(context, head, .ok, "relay\n") : simple(context, head, .notFound, "not found\n")
        }
        if head.uri == ServeRegistryProxy.prefix {
            return proxy != nil ? simple(context, head, .ok, "registry proxy\n") : simple(context, head, .notFound, "not found\n")
        }
        if let proxy, head.uri.hasPrefix(ServeRegistryProxy.prefix) {
            let keepAlive = head.isKeepAlive, channel = context.channel
            return proxy.respond(head, on: channel) { if !keepAlive { channel.close(promise: nil) } }
        }
        var path = String(head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0])
        path = path.removingPercentEncoding ?? path
        let parts = path.split(separator: "/").map(String.init)
        guard !parts.contains(where: { $0 == ".." || $0.hasPrefix(".") }) else {
            return simple(context, head, .notFound, "not found\n")
        }
        var file = root + "/" + parts.joined(separator: "/")
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), isDirectory.boolValue {
            if !path.hasSuffix("/") {
                var headers = HTTPHeaders()
                headers.add(name: "Location", value: path + "/")
                return simple(context, head, .movedPermanently, "", headers)
            }
            file += "/index.html"
        }
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file),
              (attributes[.type] as? FileAttributeType) == .typeRegular,
              let size = (attributes[.size] as? NSNumber)?.intValue else {
            return simple(context, head, .notFound, "not found\n")
        }
        let modified = (attributes[.modificationDate] as? Date) ?? Date()
        let tag = "\"\(size)-\(Int(modified.timeIntervalSince1970 * 1000))\""
        var headers = commonHeaders()
        headers.add(name: "Content-Type", value: Self.types[(file as NSString).pathExtension.lowercased()] ?? "application/octet-stream")
        headers.add(name: "ETag", value: tag)
        headers.add(name: "Cache-Control", value: "no-cache")   // revalidate: a converted site may be rewritten
        if head.headers["If-None-Match"].contains(tag) {
            headers.add(name: "Content-Length", value: "0")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .notModified, headers: headers))), promise: nil)
            return finish(context, head)
        }
        headers.add(name: "Content-Length", value: String(size))
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))), promise: nil)
        if head.method == .GET && size > 0 {
            do {
                let handle = try NIOFileHandle(_deprecatedPath: file)
                let region = FileRegion(fileHandle: handle, readerIndex: 0, endIndex: size)
                let promise = context.eventLoop.makePromise(of: Void.self)
                promise.futureResult.whenComplete { _ in try? handle.close() }
                context.write(wrapOutboundOut(.body(.fileRegion(region))), promise: promise)
            } catch {
                context.close(promise: nil)
                return
            }
        }
        finish(context, head)
    }

    private func commonHeaders() -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "Cross-Origin-Opener-Policy", value: "same-origin")
        headers.add(name: "Cross-Origin-Embedder-Policy", value: "require-corp")
        headers.add(name: "Cross-Origin-Resource-Policy", value: "same-origin")
        headers.add(name: "X-Content-Type-Options", value: "nosniff")
        return headers
    }

    private func simple(_ context: ChannelHandlerContext, _ head: HTTPRequestHead, _ status: HTTPResponseStatus,
                        _ body: String, _ extra: HTTPHeaders = HTTPHeaders()) {
        var headers = commonHeaders()
        headers.add(contentsOf: extra)
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD && !body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        }
        finish(context, head)
    }

    private func finish(_ context: ChannelHandlerContext, _ head: HTTPRequestHead) {
        let keepAlive = head.isKeepAlive
        let channel = context.channel
        let promise = context.eventLoop.makePromise(of: Void.self)
        promise.futureResult.whenComplete { _ in
            if !keepAlive { channel.close(promise: nil) }
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: promise)
    }
}
