import AsyncHTTPClient
import Clocks
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Reads and writes the objects of one S3 bucket over S3's REST API: get, put (optionally
/// conditional), delete and list. Enough for small control objects such as a lease or published
/// checkpoints; bulk data is Litestream's.
///
/// With an endpoint (moto, MinIO, LocalStack) requests go path-style to `<endpoint>/<bucket>/<key>`;
/// without one, virtual-hosted to `https://<bucket>.s3.<region>.amazonaws.com/<key>`.
///
/// ```swift
/// let s3 = S3ObjectClient(bucket: "ledger", configuration: AWSClientConfiguration(region: "us-east-1"))
/// let etag = try await s3.put("lease", Array("me".utf8), condition: .absent)
/// ```
public struct S3ObjectClient: Sendable {
    public let bucket: String
    public let configuration: AWSClientConfiguration
    private let httpClient: HTTPClient

    /// An object as read: its content and its entity tag (for a later conditional write).
    public struct Object: Sendable {
        public let body: [UInt8]
        public let etag: String?
    }

    /// A listed object: its key and when it was last written.
    public struct Listed: Sendable {
        public let key: String
        public let lastModified: Date?
    }

    /// When a put may happen (S3 conditional writes): always, only when no object has the key
    /// (`If-None-Match: *`), or only when the object still has this entity tag (`If-Match`).
    public enum Condition: Sendable {
        case always
        case absent
        case matches(String)
    }

    public init(bucket: String, configuration: AWSClientConfiguration, httpClient: HTTPClient? = nil) {
        self.bucket = bucket
        self.configuration = configuration
        self.httpClient = httpClient ?? .aws(timeout: configuration.timeout)
    }

    /// The object at `key`, or nil when there is none.
    /// - Throws: ``AWSError`` (a missing bucket is `NoSuchBucket`, not nil).
    public func get(_ key: String) async throws -> Object? {
        do {
            let (_, headers, body) = try await send("GET", key: key, operation: "s3:GetObject")
            return Object(body: body, etag: headers.first(name: "ETag"))
        } catch let error as AWSError where error.code == "NoSuchKey" {
            return nil
        }
    }

    /// Writes `body` at `key` when `condition` holds and returns the new entity tag.
    /// - Throws: ``AWSError`` with code `PreconditionFailed` (412) when the condition does not hold.
    @discardableResult
    public func put(_ key: String, _ body: [UInt8], condition: Condition = .always) async throws -> String? {
        var headers: [(String, String)] = [("Content-Type", "application/octet-stream")]
        switch condition {
        case .always: break
        case .absent: headers.append(("If-None-Match", "*"))
        case .matches(let etag): headers.append(("If-Match", etag))
        }
        let (_, responseHeaders, _) = try await send("PUT", key: key, headers: headers, body: body, operation: "s3:PutObject")
        return responseHeaders.first(name: "ETag")
    }

    /// Deletes the object at `key` (only while it has entity tag `ifMatch`, where S3 supports it).
    public func delete(_ key: String, ifMatch: String? = nil) async throws {
        _ = try await send("DELETE", key: key, headers: ifMatch.map { [("If-Match", $0)] } ?? [], operation: "s3:DeleteObject")
    }

    /// Every object whose key starts with `prefix`, in key order.
    public func list(prefix: String) async throws -> [Listed] {
        var listed: [Listed] = []
        var token: String?
        repeat {
            var query = [("list-type", "2"), ("prefix", prefix)]
            if let token { query.append(("continuation-token", token)) }
            let (_, _, body) = try await send("GET", key: "", query: query, operation: "s3:ListObjectsV2")
            let text = String(decoding: body, as: UTF8.self)
            for contents in Self.elements("Contents", in: text) {
                guard let key = Self.elements("Key", in: contents).first else { continue }
                let modified = Self.elements("LastModified", in: contents).first.flatMap(Self.date)
                listed.append(Listed(key: Self.unescape(key), lastModified: modified))
            }
            token = Self.elements("IsTruncated", in: text).first == "true" ? Self.elements("NextContinuationToken", in: text).first.map(Self.unescape) : nil
        } while token != nil
        return listed
    }

    private func send(
        _ method: String, key: String, query: [(String, String)] = [], headers: [(String, String)] = [], body: [UInt8] = [], operation: String
    ) async throws -> (Int, HTTPHeaders, [UInt8]) {
        try await configuration.retry.run(clock: configuration.clock) {
            try await attempt(method, key: key, query: query, headers: headers, body: body, operation: operation)
        }
    }

    private func attempt(
        _ method: String, key: String, query: [(String, String)], headers: [(String, String)], body: [UInt8], operation: String
    ) async throws -> (Int, HTTPHeaders, [UInt8]) {
        guard let credentials = try await configuration.credentials.credentials() else {
            throw AWSError(kind: .credentials, message: "no AWS credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile, or run with a task role)", operation: operation)
        }
        let base: URL
        let path: String
        if let endpoint = configuration.endpoint {
            base = endpoint
            path = (endpoint.path.hasSuffix("/") ? String(endpoint.path.dropLast()) : endpoint.path) + "/\(bucket)/\(key)"
        } else {
            base = URL(string: "https://\(bucket).s3.\(configuration.region).amazonaws.com")!
            path = "/\(key)"
        }
        guard let host = base.host else {
            throw AWSError(kind: .transport, message: "endpoint has no host: \(base)", operation: operation)
        }
        let hostHeader = base.port.map { "\(host):\($0)" } ?? host
        let signer = SigV4Signer(credentials: credentials, region: configuration.region, service: "s3")
        let signature = signer.sign(
            SigV4Request(method: method, host: hostHeader, path: path, query: query, headers: [("Host", hostHeader)] + headers, body: body),
            date: configuration.clock.now, addContentSHA256Header: true)
        let queryText = query.isEmpty ? "" : "?" + query.map { "\(SigV4Signer.uriEncode($0.0))=\(SigV4Signer.uriEncode($0.1))" }.joined(separator: "&")
        let scheme = base.scheme ?? "https"
        var request = HTTPClientRequest(url: "\(scheme)://\(hostHeader)\(SigV4Signer.canonicalURI(path))\(queryText)")
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "Host", value: hostHeader)
        request.headers.add(name: "User-Agent", value: "shiplog")
        for (name, value) in headers + signature.headersToAdd { request.headers.add(name: name, value: value) }
        if !body.isEmpty || method == "PUT" { request.body = .bytes(ByteBuffer(bytes: body)) }

        let response: HTTPClientResponse
        let responseBody: [UInt8]
        do {
            response = try await httpClient.execute(request, timeout: TimeAmount(configuration.timeout))
            responseBody = Array(buffer: try await response.body.collect(upTo: 16 << 20))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw AWSError(kind: .timeout, message: "no response from \(base.absoluteString) within \(configuration.timeout)", operation: operation)
        } catch {
            throw AWSError(kind: .transport, message: "cannot reach \(base.absoluteString): \(error)", operation: operation)
        }
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let text = String(decoding: responseBody, as: UTF8.self)
            let code = Self.elements("Code", in: text).first ?? (status == 404 && method == "GET" && !key.isEmpty ? "NoSuchKey" : status == 412 ? "PreconditionFailed" : nil)
            let message = Self.elements("Message", in: text).first ?? "HTTP \(status)"
            let kind: AWSError.Kind = status == 429 || code == "SlowDown" ? .throttling : status >= 500 ? .serverError : .service
            throw AWSError(kind: kind, code: code, message: message, operation: operation, statusCode: status)
        }
        return (status, response.headers, responseBody)
    }

    /// The text of every `<name>...</name>` in `xml`, in order.
    static func elements(_ name: String, in xml: String) -> [String] {
        var found: [String] = []
        var rest = xml[...]
        while let open = rest.range(of: "<\(name)>"), let close = rest.range(of: "</\(name)>", range: open.upperBound..<rest.endIndex) {
            found.append(String(rest[open.upperBound..<close.lowerBound]))
            rest = rest[close.upperBound...]
        }
        return found
    }

    private static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    private static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }
}
