import AsyncHTTPClient
import NIOCore
import NIOHTTP1

extension RegistryClient {
    /// Streams the blob `descriptor` names into the store's `tmp/` as it arrives, hashed on the
    /// way, and stages it in `transaction` only if size and sha256 match. A dropped
    /// connection resumes with a Range request (or starts over if the server ignores it);
    /// `progress` receives the bytes held so far.
    func downloadBlob(repository: String, _ descriptor: Descriptor, into transaction: BlobTransaction, what: String,
                      progress: @Sendable (Int64) -> Void = { _ in }) async throws {
        try descriptor.digest.requireSHA256()
        let writer = try transaction.writer()
        defer { writer.discard() }
        var attempt = 0
        while true {
            attempt += 1
            var headers = HTTPHeaders()
            let have = writer.bytesWritten
            if have > 0 { headers.add(name: "Range", value: "bytes=\(have)-") }
            let response = try await execute(Request(method: .GET, url: url("/v2/\(repository)/blobs/\(descriptor.digest)"),
                                                     headers: headers, scopes: [Self.pullScope(repository)]))
            switch response.status.code {
            case 200:
                if have > 0 { try writer.reset(); progress(0) }
            case 206 where have > 0 && contentRangeStart(response.headers) == have:
                break
            case 206, 416:
                // A range we did not ask for or cannot use: start over.
                _ = try? await response.body.collect(upTo: Int(descriptor.size) + 1)
                try writer.reset()
                progress(0)
                if attempt < options.maxAttempts { continue }
                throw SkiffError(.registry, "\(registry) sent an unusable partial answer for \(what) \(descriptor.digest)")
            case 404:
                _ = try? await response.body.collect(upTo: 1 << 16)
                throw SkiffError(.notFound, "\(what) \(descriptor.digest) not found in \(registry)/\(repository)")
            default:
                throw await failure(response, "the download of \(what) \(descriptor.digest)")
            }
            do {
                for try await chunk in response.body {
                    if writer.bytesWritten + Int64(chunk.readableBytes) > descriptor.size {
                        throw SkiffError(.digestMismatch, "\(what) \(descriptor.digest) is longer than its declared \(descriptor.size) bytes")
                    }
                    try chunk.withUnsafeReadableBytes { raw in try writer.write(raw) }
                    progress(writer.bytesWritten)
                }
            } catch let error as SkiffError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                // The connection dropped mid-body: resume where it stopped.
                guard attempt < options.maxAttempts else {
                    throw SkiffError(.network, "the download of \(what) \(descriptor.digest) kept failing (\(describe(error))) after \(attempt) attempts", underlying: error)
                }
                logger.debug("\(what) \(descriptor.digest.short): \(describe(error)) at \(writer.bytesWritten) bytes; resuming")
                try await Task.sleep(for: backoff(attempt, retryAfter: nil))
                continue
            }
            if writer.bytesWritten < descriptor.size && attempt < options.maxAttempts {
                // The body ended early without an error (a proxy closing cleanly): resume.
                logger.debug("\(what) \(descriptor.digest.short): body ended at \(writer.bytesWritten) of \(descriptor.size) bytes; resuming")
                try await Task.sleep(for: backoff(attempt, retryAfter: nil))
                continue
            }
            try writer.commit(expected: descriptor, what: what)
            return
        }
    }

    /// Fetches a small blob (an image config) whole, verified, into `transaction`; returns its bytes.
    func fetchSmallBlob(repository: String, _ descriptor: Descriptor, into transaction: BlobTransaction, what: String) async throws -> [UInt8] {
        try descriptor.requireSize(atMost: Manifest.maxDocumentSize, what: what)
        if !transaction.has(descriptor) {
            try await downloadBlob(repository: repository, descriptor, into: transaction, what: what)
        }
        return try transaction.read(descriptor.digest)
    }
}

/// The first byte position of `Content-Range: bytes START-END/TOTAL`.
private func contentRangeStart(_ headers: HTTPHeaders) -> Int64? {
    guard let value = headers.first(name: "Content-Range") else { return nil }
    let parts = value.split(whereSeparator: { $0 == " " || $0 == "-" || $0 == "/" })
    guard parts.count >= 2, parts[0].lowercased() == "bytes" else { return nil }
    return Int64(parts[1])
}
