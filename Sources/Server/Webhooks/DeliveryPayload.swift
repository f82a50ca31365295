import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The JSON of a GitHub delivery, gathered as its body streams in, in either of the content types
/// a webhook may be set to: `application/json` (the body is the JSON) or
/// `application/x-www-form-urlencoded`, GitHub's default (the JSON is the `payload` field).
///
/// Only the JSON is kept, once: a form body is decoded chunk by chunk, not gathered and then
/// decoded into a second copy.
struct DeliveryPayload {
    private enum Body {
        case json([UInt8])
        case form(FormPayloadDecoder)
    }

    private var body: Body

    /// Ready for the body of `request`, whose `Content-Type` says how it is encoded.
    init(_ request: Request) {
        // The body cannot be longer than its stated length (or the limit), so that much is reserved once.
        let capacity = min(request.headers[.contentLength].flatMap { Int($0) } ?? 0, GitHubWebhookController.maximumDeliverySize)
        let mediaType = request.headers[.contentType]?.split(separator: ";").first?
            .trimmingCharacters(in: .whitespaces).lowercased()
        if mediaType == "application/x-www-form-urlencoded" {
            body = .form(FormPayloadDecoder(capacity: capacity))
        } else {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(capacity)
            body = .json(bytes)
        }
    }

    /// Takes the next chunk of the body.
    mutating func consume(_ chunk: ByteBuffer) {
        switch body {
        case .json(var bytes):
            // Moved out and back so the array is appended to in place, not copied.
            body = .json([])
            bytes.append(contentsOf: chunk.readableBytesView)
            body = .json(bytes)
        case .form(var form):
            body = .json([])
            form.consume(chunk.readableBytesView)
            body = .form(form)
        }
    }

    /// The delivery's JSON, once the whole body was read.
    ///
    /// - Throws: 400 when a form body has no `payload` field, or more than one.
    func json() throws -> [UInt8] {
        switch body {
        case .json(let bytes):
            return bytes
        case .form(var form):
            do {
                return try form.finish()
            } catch .missing {
                throw HTTPError(.badRequest, message: "the form-encoded delivery has no 'payload' field")
            } catch .repeated {
                throw HTTPError(.badRequest, message: "the form-encoded delivery has more than one 'payload' field")
            }
        }
    }
}
