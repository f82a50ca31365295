import Crypto
import Foundation

/// One HTTP request to a sink, ready to send: the same bytes on every attempt, so a signature
/// and a receiver's de-duplication see one notification however often it is retried.
public struct OutgoingNotification: Sendable {
    /// Stable per (event, sink): see ``deliveryID(eventId:sink:)``.
    public var deliveryId: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: Data

    public init(deliveryId: String, url: String, headers: [(name: String, value: String)], body: Data) {
        self.deliveryId = deliveryId
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The delivery id of `eventId` to `sink`: a UUID made from their SHA-256, so every process
    /// that ever notifies the sink of the event names the notification the same way.
    public static func deliveryID(eventId: String, sink: String) -> String {
        var bytes = Array(SHA256.hash(data: Data("\(eventId)\n\(sink)".utf8)).prefix(16))
        // RFC 9562 version 8 (custom), variant 10: a well-formed UUID that says it was not random.
        bytes[6] = (bytes[6] & 0x0F) | 0x80
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return parts.joined(separator: "-")
    }

    /// The body's HMAC-SHA256 under `secret`, as GitHub writes `X-Hub-Signature-256`: `sha256=<hex>`.
    public static func signature(of body: Data, secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + Data(code).map { String(format: "%02x", $0) }.joined()
    }
}

/// Why a notice could not be turned into a request; the delivery is given up at once, since
/// trying again would not change it.
public struct NotificationRenderError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
