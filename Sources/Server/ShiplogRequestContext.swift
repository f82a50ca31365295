import Access
import Foundation
import Hummingbird
import HummingbirdAuth
import Ledger
import NIOCore

/// The context of every request: who it is from (set by ``TokenAuthenticator``), where it came
/// from, and JSON coding with the API's snake_case names.
public struct ShiplogRequestContext: AuthRequestContext, RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: APIIdentity?
    /// The peer's address, recorded as the client address of what the request appends.
    public let clientAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        identity = nil
        clientAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Bodies are small JSON documents; anything larger is refused with 413.
    public var maxUploadSize: Int { 1 << 20 }

    public var requestDecoder: APIRequestDecoder { APIRequestDecoder() }
    public var responseEncoder: JSONEncoder { APICoding.encoder }
}

/// The API's JSON conventions: snake_case keys, sorted so responses are stable.
enum APICoding {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }
}

/// Decodes request bodies (``StrictBody``), turning every decoding problem into a 400 whose message
/// names the field. Keys are not converted: request types spell their JSON names in their `CodingKeys`.
public struct APIRequestDecoder: RequestDecoder {
    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        let data = Data(buffer.readableBytesView)
        do {
            guard let body = T.self as? any StrictBody.Type else {
                return try StrictJSON.decode(T.self, from: data, what: "the body")
            }
            // `body` is `T`: the cast only names the type the existential opened to.
            return try body.decode(from: data) as! T
        } catch let error as DecodingError {
            throw HTTPError(.badRequest, message: Self.describe(error))
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func joined(_ keys: [any CodingKey]) -> String {
            keys.map { key in key.intValue.map { "[\($0)]" } ?? snakeCase(key.stringValue) }.joined(separator: ".")
        }
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.isEmpty ? "the body" : "field '\(joined(context.codingPath))'"
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return "the body is not valid JSON"
        case .dataCorrupted(let context):
            return "\(path(context)) is not valid: \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "missing field '\(joined(context.codingPath + [key]))'"
        case .typeMismatch(let type, let context):
            return "\(path(context)) must be \(describe(type))"
        case .valueNotFound(let type, let context):
            return "\(path(context)) must be \(describe(type)), not null"
        @unknown default:
            return "the body could not be read"
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Bool.Type: "true or false"
        case is [String].Type: "a list of strings"
        default: "a JSON object"
        }
    }

    private static func snakeCase(_ name: String) -> String {
        name.reduce(into: "") { text, character in
            if character.isUppercase { text += "_" + character.lowercased() } else { text.append(character) }
        }
    }
}
