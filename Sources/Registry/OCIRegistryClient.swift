import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// Looks up tags and digests through the OCI distribution API (GHCR, Docker Hub, `registry:2`).
///
/// - Tags: `GET /v2/<name>/tags/list?n=<page>`, following `Link: <...>; rel="next"` pages.
/// - Digests: `HEAD /v2/<name>/manifests/<tag>` with the manifest media types in `Accept`,
///   reading `Docker-Content-Digest`.
/// - Auth: anonymous first; on `401` with a `Bearer` challenge, a token is fetched from the
///   challenge's realm (with `service` and `scope`, and basic credentials when given), cached
///   per scope, and the request retried once. A `Basic` challenge is answered with the credentials.
///
/// ```swift
/// let ghcr = OCIRegistryClient(registry: "ghcr.io")
/// let digest = try await ghcr.digest(repository: "wordpress/openverse-api", tag: "rel-2024.01.01.00.00.00")
/// ```
public final class OCIRegistryClient: ImageRegistry {
    /// The media types a manifest look-up accepts: multi-platform indexes first, as `docker pull` asks.
    public static let manifestMediaTypes = [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ]

    public struct Credentials: Sendable {
        public var username: String
        public var password: String
        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }
    }

    public let baseURL: String
    /// The registry as named in messages (the host of `baseURL`).
    public let registryName: String
    private let credentials: Credentials?
    private let pageSize: Int?
    private let timeout: TimeAmount
    private let httpClient: HTTPClient
    private let logger: Logger
    private let tokens = Mutex<[String: String]>([:])

    /// - Parameters:
    ///   - baseURL: `https://ghcr.io`, `http://127.0.0.1:5000`, ...
    ///   - credentials: for private repositories; sent only to the token realm or on a Basic challenge.
    ///   - pageSize: the `n` of tag list pages; the registry's default when nil.
    public init(
        baseURL: String,
        credentials: Credentials? = nil,
        pageSize: Int? = nil,
        timeout: Duration = .seconds(30),
        httpClient: HTTPClient = .shared,
        logger: Logger = Logger(label: "shiplog.registry")
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.registryName = URL(string: baseURL)?.host.map { host in
            URL(string: baseURL)?.port.map { "\(host):\($0)" } ?? host
        } ?? baseURL
        self.credentials = credentials
        self.pageSize = pageSize
        self.timeout = TimeAmount(timeout)
        self.httpClient = httpClient
        self.logger = logger
    }

    /// A client for the registry of an image reference (`ghcr.io`, or Docker Hub's API host).
    public convenience init(registry: String, credentials: Credentials? = nil) {
        let reference = ImageReference(registry: registry, repository: "")
        self.init(baseURL: reference.apiBaseURL, credentials: credentials)
    }

    public func digest(repository: String, tag: String) async throws -> String {
        let path = "/v2/\(repository)/manifests/\(tag)"
        let accept = Self.manifestMediaTypes.joined(separator: ", ")
        let head = try await send(.HEAD, path, accept: accept, repository: repository)
        if head.status == 200, let digest = head.headers.first(name: "Docker-Content-Digest") {
            return digest
        }
        // HEAD answers carry no body, so a 404's reason (or a missing digest header) needs a GET.
        let get = try await send(.GET, path, accept: accept, repository: repository)
        switch get.status {
        case 200:
            guard let digest = get.headers.first(name: "Docker-Content-Digest") else {
                throw RegistryError.malformedResponse(repository, registry: registryName, detail: "manifest of \(tag) has no Docker-Content-Digest")
            }
            return digest
        case 404:
            if Self.errorCodes(get.body).contains("NAME_UNKNOWN") {
                throw RegistryError.repositoryNotFound(repository, registry: registryName)
            }
            // Some registries say MANIFEST_UNKNOWN for a missing repository too; the tag list tells them apart.
            _ = try await tagsPage(path: tagListPath(repository), repository: repository)
            throw RegistryError.tagNotFound(tag, repository: repository, registry: registryName)
        default:
            throw unexpected(get, repository: repository)
        }
    }

    public func tags(repository: String) async throws -> [String] {
        var tags: [String] = []
        var next: String? = tagListPath(repository)
        var seen: Set<String> = []
        while let path = next {
            // A registry that links a page to itself would otherwise keep us here forever.
            guard seen.insert(path).inserted else {
                throw RegistryError.malformedResponse(repository, registry: registryName, detail: "tag list pages loop at \(path)")
            }
            let page = try await tagsPage(path: path, repository: repository)
            tags += page.tags
            next = page.next
        }
        return tags
    }

    // MARK: Internals

    private struct Answer {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    private func tagListPath(_ repository: String) -> String {
        pageSize.map { "/v2/\(repository)/tags/list?n=\($0)" } ?? "/v2/\(repository)/tags/list"
    }

    private func tagsPage(path: String, repository: String) async throws -> (tags: [String], next: String?) {
        let answer = try await send(.GET, path, accept: "application/json", repository: repository)
        switch answer.status {
        case 200:
            break
        case 404:
            throw RegistryError.repositoryNotFound(repository, registry: registryName)
        default:
            throw unexpected(answer, repository: repository)
        }
        guard let document = try? JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any] else {
            throw RegistryError.malformedResponse(repository, registry: registryName, detail: "tag list is not a JSON object")
        }
        // `tags` is null for a repository whose tags were all deleted.
        let tags = document["tags"] as? [String] ?? []
        return (tags, answer.headers.first(name: "Link").flatMap(Self.nextLink))
    }

    /// The target of `Link: </v2/x/tags/list?n=2&last=b>; rel="next"`.
    static func nextLink(_ header: String) -> String? {
        for link in header.split(separator: ",") {
            let parts = link.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let target = parts.first, target.hasPrefix("<"), target.hasSuffix(">"),
                parts.dropFirst().contains(where: { $0.replacingOccurrences(of: "\"", with: "") == "rel=next" })
            else { continue }
            return String(target.dropFirst().dropLast())
        }
        return nil
    }

    private static func errorCodes(_ body: [UInt8]) -> [String] {
        guard let document = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let errors = document["errors"] as? [[String: Any]]
        else { return [] }
        return errors.compactMap { $0["code"] as? String }
    }

    private func unexpected(_ answer: Answer, repository: String) -> RegistryError {
        if answer.status == 401 || answer.status == 403 {
            let detail = Self.errorCodes(answer.body).first ?? "HTTP \(answer.status)"
            return .unauthorized(repository, registry: registryName, detail: detail)
        }
        if answer.status >= 500 {
            return .serverError(repository, registry: registryName, status: answer.status)
        }
        return .malformedResponse(repository, registry: registryName, detail: "unexpected HTTP \(answer.status)")
    }

    /// Sends a request, answering one authentication challenge; the 401 comes back as an answer if that fails.
    private func send(_ method: HTTPMethod, _ pathAndQuery: String, accept: String, repository: String) async throws -> Answer {
        let url = pathAndQuery.hasPrefix("http") ? pathAndQuery : baseURL + pathAndQuery
        let scope = "repository:\(repository):pull"
        var authorization = tokens.withLock { $0[scope] }.map { "Bearer \($0)" }
        var answer = try await execute(method, url, accept: accept, authorization: authorization, repository: repository)
        guard answer.status == 401, let header = answer.headers.first(name: "WWW-Authenticate"),
            let challenge = AuthenticationChallenge(header: header)
        else { return answer }
        switch challenge.scheme.lowercased() {
        case "bearer":
            let token = try await fetchToken(challenge, scope: challenge.parameters["scope"] ?? scope, repository: repository)
            tokens.withLock { $0[scope] = token }
            authorization = "Bearer \(token)"
        case "basic" where credentials != nil:
            authorization = basicAuthorization()
        default:
            return answer
        }
        answer = try await execute(method, url, accept: accept, authorization: authorization, repository: repository)
        return answer
    }

    private func fetchToken(_ challenge: AuthenticationChallenge, scope: String, repository: String) async throws -> String {
        guard let realm = challenge.parameters["realm"], var components = URLComponents(string: realm) else {
            throw RegistryError.unauthorized(repository, registry: registryName, detail: "Bearer challenge without a realm")
        }
        var query = components.queryItems ?? []
        if let service = challenge.parameters["service"] {
            query.append(URLQueryItem(name: "service", value: service))
        }
        query.append(URLQueryItem(name: "scope", value: scope))
        components.queryItems = query
        guard let url = components.url?.absoluteString else {
            throw RegistryError.unauthorized(repository, registry: registryName, detail: "bad token realm \(realm)")
        }
        let answer = try await execute(.GET, url, accept: "application/json", authorization: basicAuthorization(), repository: repository)
        guard answer.status == 200 else {
            throw RegistryError.unauthorized(repository, registry: registryName, detail: "token endpoint \(realm) answered HTTP \(answer.status)")
        }
        guard let document = try? JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any],
            let token = (document["token"] as? String) ?? (document["access_token"] as? String), !token.isEmpty
        else {
            throw RegistryError.malformedResponse(repository, registry: registryName, detail: "token endpoint \(realm) gave no token")
        }
        return token
    }

    private func basicAuthorization() -> String? {
        credentials.map { "Basic " + Data("\($0.username):\($0.password)".utf8).base64EncodedString() }
    }

    private func execute(_ method: HTTPMethod, _ url: String, accept: String, authorization: String?, repository: String) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Accept", value: accept)
        request.headers.add(name: "User-Agent", value: "shiplog")
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        logger.debug("registry request", metadata: ["registry.url": "\(url)", "registry.method": "\(method)"])
        do {
            let response = try await httpClient.execute(request, timeout: timeout)
            let body = method == .HEAD ? [] : Array(buffer: try await response.body.collect(upTo: 16 << 20))
            return Answer(status: Int(response.status.code), headers: response.headers, body: body)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw RegistryError.timeout(repository, registry: registryName)
        } catch {
            throw RegistryError.transport(repository, registry: registryName, detail: "\(error)")
        }
    }
}
