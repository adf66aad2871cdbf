import Dispatch
import Foundation
import SwiftProtobuf

/// Sends task events to containerd's ttrpc events service (TTRPC_ADDRESS), one at a time.
public final class EventPublisher: @unchecked Sendable {
    private let address: String
    private let namespace: String
    private let queue = DispatchQueue(label: "skiff.shim.events")
    private var client: TTRPCClient?
    public var log: (String) -> Void = { _ in }

    public init(address: String, namespace: String) {
        self.address = address.hasPrefix("unix://") ? String(address.dropFirst(7)) : address
        self.namespace = namespace
    }

    func publish<M: SwiftProtobuf.Message>(topic: String, event: M) {
        let now = Date()
        queue.async { [self] in
            do {
                var envelope = Containerd_Types_Envelope()
                envelope.timestamp = Google_Protobuf_Timestamp(date: now)
                envelope.namespace = namespace
                envelope.topic = topic
                envelope.event.typeURL = String(describing: M.protoMessageName)
                envelope.event.value = try event.serializedData()
                var request = Containerd_Events_ForwardRequest()
                request.envelope = envelope
                if client == nil { client = try TTRPCClient(socketPath: address) }
                _ = try client!.call(service: "containerd.services.events.ttrpc.v1.Events", method: "Forward",
                                     payload: try request.serializedData())
            } catch {
                client = nil
                log("cannot publish \(topic): \(error)")
            }
        }
    }

    /// Waits for the events queued so far to be sent.
    public func flush() { queue.sync {} }
}
