import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The CLI's side of the service's API: requests with the credential, answers checked to be a
/// shiplog service's, refusals turned into their one-line messages.
struct ServiceClient: Sendable {
    /// Without a trailing slash: paths start with one.
    let baseURL: String
    private let bearer: BearerSource
    /// How long an answer may take before the service counts as unreachable.
    private let timeout: TimeAmount

    struct Answer {
        var status: Int
        var body: Data
    }

    init(url: String, credential: ServiceCredential, timeout: Duration = .seconds(60)) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme),
              components.host?.isEmpty == false, components.query == nil, components.fragment == nil else {
            throw ServiceError.invalid("the server '\(url)' is not an http:// or https:// URL of a shiplog service")
        }
        baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        bearer = BearerSource(credential)
        self.timeout = TimeAmount(timeout)
    }

    /// Sends one request and returns the service's answer when it is a success.
    ///
    /// - Throws: ``ServiceError``: `.unreachable` when nothing answered or the service said it is
    ///   unavailable for now (503), `.refused` with the service's own message for any other error
    ///   status, `.notShiplog` when the answer is not JSON as shiplog writes it (or, for a report,
    ///   not of the `accepting` media type).
    func send(
        _ method: HTTPMethod, _ path: String, query: [(String, String?)] = [], body: Data? = nil, headers: [(String, String)] = [],
        accepting mediaType: String = "application/json"
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: baseURL + path + Self.queryString(query))
        request.method = method
        request.headers.add(name: "Accept", value: mediaType)
        request.headers.add(name: "User-Agent", value: "shiplog-cli")
        if let token = try await bearer.token() { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await Self.http.execute(request, timeout: timeout)
            bytes = try await response.body.collect(upTo: 256 << 20)
        } catch {
            throw ServiceError.unreachable("cannot reach the shiplog service at \(baseURL): \(Self.reason(error))")
        }
        let status = Int(response.status.code)
        let data = Data(bytes.readableBytesView)
        let contentType = response.headers.first(name: "Content-Type") ?? "no content type"
        guard contentType.lowercased().hasPrefix(status >= 400 ? "application/json" : mediaType) else {
            throw ServiceError.notShiplog(
                "\(baseURL) does not answer as a shiplog service (\(method) \(path): HTTP \(status), \(contentType.prefix(60)))")
        }
        guard status >= 400 else { return Answer(status: status, body: data) }
        guard let refusal = try? JSONDecoder().decode(ErrorBody.self, from: data) else {
            throw ServiceError.notShiplog("\(baseURL) does not answer as a shiplog service (\(method) \(path): HTTP \(status) without an error message)")
        }
        if status == 503 {
            throw ServiceError.unreachable("the shiplog service at \(baseURL) is unavailable for now: \(refusal.error.message)")
        }
        throw ServiceError.refused(status: status, message: refusal.error.message)
    }

    /// `GET path` as Server-Sent Events: the lines of the open stream, as they arrive.
    ///
    /// - Throws: as ``send(_:_:query:body:headers:)`` for an answer that is not a stream.
    func eventStream(_ path: String, query: [(String, String?)]) async throws -> AsyncThrowingStream<String, any Error> {
        var request = HTTPClientRequest(url: baseURL + path + Self.queryString(query))
        request.headers.add(name: "Accept", value: "text/event-stream")
        request.headers.add(name: "User-Agent", value: "shiplog-cli")
        if let token = try await bearer.token() { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response: HTTPClientResponse
        do {
            response = try await Self.http.execute(request, timeout: .hours(24))
        } catch {
            throw ServiceError.unreachable("cannot reach the shiplog service at \(baseURL): \(Self.reason(error))")
        }
        guard response.status == .ok, response.headers.first(name: "Content-Type")?.hasPrefix("text/event-stream") == true else {
            // Not a stream: read the answer as any other, for its refusal.
            _ = try await send(.GET, path, query: query)
            throw ServiceError.notShiplog("\(baseURL) does not answer \(path) with an event stream")
        }
        let body = response.body
        return AsyncThrowingStream { continuation in
            let reader = Task {
                do {
                    var pending: [UInt8] = []
                    for try await buffer in body {
                        pending += buffer.readableBytesView
                        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                            continuation.yield(String(decoding: pending[..<newline], as: UTF8.self))
                            pending.removeSubrange(...newline)
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: ServiceError.unreachable("the event stream from \(baseURL) broke off: \(Self.reason(error))"))
                }
            }
            continuation.onTermination = { _ in reader.cancel() }
        }
    }

    /// `GET path`, its JSON decoded as `Response` (snake_case keys, as the API writes them).
    func get<Response: Decodable>(_ path: String, query: [(String, String?)] = [], as type: Response.Type = Response.self) async throws -> Response {
        try decode(Response.self, from: try await send(.GET, path, query: query), path: path)
    }

    func decode<Response: Decodable>(_ type: Response.Type, from answer: Answer, path: String) throws -> Response {
        do {
            return try Self.decoder.decode(Response.self, from: answer.body)
        } catch {
            throw ServiceError.notShiplog("\(baseURL) does not answer \(path) as a shiplog service does (\(Self.reason(error)))")
        }
    }

    /// The CLI's HTTP client: a refused connection fails at once rather than being retried until
    /// the request's deadline (AsyncHTTPClient's default), so an append to a service that is down
    /// is spooled in a moment, not a minute; a connection that hangs gives up after 10 s. It lives
    /// as long as the process, which ends without shutting it down.
    static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: .seconds(10))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()

    private struct ErrorBody: Decodable {
        struct Message: Decodable { var message: String }
        var error: Message
    }

    /// `?a=1&b=x`, only the pairs with a value; everything but unreserved characters escaped (a
    /// `+` in a time zone must not arrive as a space).
    static func queryString(_ pairs: [(String, String?)]) -> String {
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let encoded = pairs.compactMap { name, value in
            value.map { "\(name)=\($0.addingPercentEncoding(withAllowedCharacters: unreserved) ?? $0)" }
        }
        return encoded.isEmpty ? "" : "?" + encoded.joined(separator: "&")
    }

    /// An error as a short phrase for a one-line message.
    static func reason(_ error: any Error) -> String {
        let text = String(describing: error).replacingOccurrences(of: "\n", with: " ")
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}

/// The bearer token of each request: the API token as given, or a GitHub Actions ID token asked
/// for once and again when it is near its end (they live minutes; a deployment followed live can
/// take longer).
actor BearerSource {
    private let credential: ServiceCredential
    private var minted: (token: String, until: ContinuousClock.Instant)?

    init(_ credential: ServiceCredential) {
        self.credential = credential
    }

    func token() async throws -> String? {
        switch credential {
        case .none: return nil
        case .token(let token): return token
        case .githubActions(let requestURL, let requestToken, let audience):
            if let minted, ContinuousClock.now < minted.until { return minted.token }
            let token = try await Self.mint(requestURL: requestURL, requestToken: requestToken, audience: audience)
            minted = (token, ContinuousClock.now + .seconds(240))
            return token
        }
    }

    /// GitHub's documented exchange: `GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=AUD` with the
    /// request token as bearer answers `{"value": "<jwt>"}`.
    private static func mint(requestURL: String, requestToken: String, audience: String) async throws -> String {
        let separator = requestURL.contains("?") ? "&" : "?"
        let query = ServiceClient.queryString([("audience", audience)]).dropFirst()
        var request = HTTPClientRequest(url: requestURL + separator + query)
        request.headers.add(name: "Authorization", value: "bearer \(requestToken)")
        request.headers.add(name: "Accept", value: "application/json")
        struct Minted: Decodable { var value: String }
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 20)
            guard response.status == .ok, let minted = try? JSONDecoder().decode(Minted.self, from: Data(body.readableBytesView)),
                  ServiceCredential.looksLikeJWT(minted.value) else {
                throw ServiceError.invalid("GitHub Actions did not give an ID token (HTTP \(response.status.code)); does the job have `permissions: id-token: write`?")
            }
            return minted.value
        } catch let error as ServiceError {
            throw error
        } catch {
            throw ServiceError.unreachable("cannot ask GitHub Actions for an ID token: \(ServiceClient.reason(error))")
        }
    }
}
