import Crypto
import Deploy
import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import NIOCore

/// GitHub's webhook deliveries (`POST /webhooks/github`). The signature is the authentication:
/// GitHub signs the body with the shared secret (HMAC-SHA256, `X-Hub-Signature-256`), and nothing
/// is read from a delivery whose signature does not match. The delivery's GUID is the append's
/// idempotency key, so a redelivery records nothing new, even after a restart.
///
/// `ping` is answered, the events of ``GitHubDelivery/recordedEvents`` recorded, and any other
/// event acknowledged with 202 and dropped, so a webhook that sends everything does no harm.
struct GitHubWebhookController {
    let backend: Backend
    /// Nil when the service was started without one: then every delivery is refused with 503.
    let secret: String?

    /// Deliveries' keys live in a scope of their own, which no token's can reach.
    static let idempotencyScope = "webhook:github"

    /// GitHub caps a delivery at 25 MB, recorded or not; the body of an event that is not recorded
    /// is only hashed, and of one that is only its JSON is kept until decoded.
    static let maximumDeliverySize = 25 << 20

    var endpoints: RouteCollection<ShiplogRequestContext> {
        RouteCollection(context: ShiplogRequestContext.self).post(use: receive)
    }

    /// `ping`'s answer: `{"pong": true}`.
    struct Pong: ResponseEncodable {
        var pong = true
    }

    /// 202's body for an event that is not recorded: `{"ignored": "<X-GitHub-Event>"}`.
    struct Ignored: ResponseEncodable {
        var ignored: String
    }

    /// What a recorded delivery appended (or, redelivered, appended the first time).
    struct Recorded: ResponseEncodable {
        struct Event: Encodable {
            var position: Int64
            var id: String
            var stream: String
            var version: Int64
            var type: String
        }

        var events: [Event]
        var deduplicated: Bool
    }

    @Sendable func receive(_ request: Request, context: ShiplogRequestContext) async throws -> Response {
        guard let secret else {
            throw HTTPError(.serviceUnavailable, message:
                "webhooks are not configured: start the service with --github-webhook-secret-file or SHIPLOG_GITHUB_WEBHOOK_SECRET")
        }
        let signature = try signature(request)
        let name = request.headers[.gitHubEvent]
        let recorded = name.map(GitHubDelivery.recordedEvents.contains) ?? false
        var payload = recorded ? DeliveryPayload(request) : nil
        try await verifyBody(request, signature: signature, secret: secret, into: &payload)
        guard let name, !name.isEmpty else { throw HTTPError(.badRequest, message: "missing X-GitHub-Event header") }
        let delivery = try deliveryID(request)
        if name == "ping" { return try Pong().response(from: request, context: context) }
        guard recorded, let payload else {
            return try EditedResponse(status: .accepted, response: Ignored(ignored: name)).response(from: request, context: context)
        }

        let delivered = try GitHubDelivery.events(
            name, json: try payload.json(), clientAddress: context.clientAddress,
            verifications: backend.workflow?.configuration.verificationWorkflows ?? [])
        let result = try await backend.store.append(try AppendRequest(events: delivered, idempotencyKey: try IdempotencyKey(delivery, scope: Self.idempotencyScope)))
        if !result.deduplicated { backend.metrics.appended(result.events.count) }
        let events = result.events.map { Recorded.Event(position: $0.position, id: $0.id, stream: $0.stream, version: $0.version, type: $0.type) }
        return try EditedResponse(status: result.deduplicated ? .ok : .created, response: Recorded(events: events, deduplicated: result.deduplicated))
            .response(from: request, context: context)
    }

    /// The MAC GitHub sent, `sha256=<64 hex digits>`.
    private func signature(_ request: Request) throws -> [UInt8] {
        guard let header = request.headers[.hubSignature256] else {
            throw refusal("missing X-Hub-Signature-256 header: deliveries must be signed with the webhook's secret")
        }
        guard header.hasPrefix("sha256="), let bytes = [UInt8](hex: String(header.dropFirst("sha256=".count))),
              bytes.count == SHA256.Digest.byteCount else {
            throw refusal("X-Hub-Signature-256 must be sha256= and 64 hexadecimal digits")
        }
        return bytes
    }

    /// Reads the body through HMAC-SHA256 as it arrives, handing each chunk to `payload` when the
    /// delivery is to be decoded; nothing else keeps it.
    ///
    /// - Throws: 413 past ``maximumDeliverySize``; 401 when the MAC differs from `signature`
    ///   (compared in constant time).
    private func verifyBody(
        _ request: Request, signature: [UInt8], secret: String, into payload: inout DeliveryPayload?
    ) async throws {
        var mac = HMAC<SHA256>(key: SymmetricKey(data: Data(secret.utf8)))
        var size = 0
        for try await chunk in request.body {
            size += chunk.readableBytes
            guard size <= Self.maximumDeliverySize else {
                throw HTTPError(.contentTooLarge, message: "the delivery is larger than GitHub's limit of \(Self.maximumDeliverySize >> 20) MB")
            }
            chunk.withUnsafeReadableBytes { mac.update(data: $0) }
            payload?.consume(chunk)
        }
        guard mac.finalize() == signature else {
            throw refusal("X-Hub-Signature-256 does not match the body: is the webhook's secret the one this service was given?")
        }
    }

    /// The delivery's GUID, as GitHub shows it in the webhook's delivery log.
    private func deliveryID(_ request: Request) throws -> String {
        guard let id = request.headers[.gitHubDelivery] else { throw HTTPError(.badRequest, message: "missing X-GitHub-Delivery header") }
        let allowed = id.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == UInt8(ascii: "-")
        }
        guard !id.isEmpty, id.utf8.count <= 64, allowed else {
            throw HTTPError(.badRequest, message: "X-GitHub-Delivery must be the delivery's GUID (letters, digits and '-')")
        }
        return id
    }

    private func refusal(_ message: String) -> HTTPError {
        backend.metrics.refused(status: 401)
        return HTTPError(.unauthorized, message: message)
    }
}

extension HTTPField.Name {
    static let hubSignature256 = HTTPField.Name("X-Hub-Signature-256")!
    static let gitHubEvent = HTTPField.Name("X-GitHub-Event")!
    static let gitHubDelivery = HTTPField.Name("X-GitHub-Delivery")!
}
