import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Credentials from the ECS container credentials endpoint (the task role).
///
/// `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` is resolved against `http://169.254.170.2`;
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI` is used as is, with `AWS_CONTAINER_AUTHORIZATION_TOKEN`
/// (or the file named by `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`) as the `Authorization` header.
/// A full URI must be HTTPS or point at a loopback or the ECS/EKS link-local agents, as the SDKs require,
/// so a stray variable cannot send the token elsewhere.
public struct ContainerCredentialProvider: AWSCredentialProvider {
    static let ecsAgentHost = "169.254.170.2"
    static let allowedLinkLocalHosts: Set<String> = ["169.254.170.2", "169.254.170.23", "fd00:ec2::23"]

    private let environment: [String: String]
    private let httpClient: HTTPClient
    private let timeout: TimeAmount

    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        httpClient: HTTPClient = .shared,
        timeout: TimeAmount = .seconds(2)
    ) {
        self.environment = environment
        self.httpClient = httpClient
        self.timeout = timeout
    }

    public func credentials() async throws -> AWSCredentials? {
        guard let url = try endpoint() else { return nil }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .GET
        if let token = try authorizationToken() {
            request.headers.add(name: "Authorization", value: token)
        }
        let operation = "credentials:container"
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await httpClient.execute(request, timeout: timeout)
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw AWSError(kind: .credentials, message: "cannot reach \(url.absoluteString): \(error)", operation: operation)
        }
        guard response.status == .ok else {
            throw AWSError(
                kind: .credentials,
                message: "\(url.absoluteString) answered HTTP \(response.status.code)",
                operation: operation,
                statusCode: Int(response.status.code)
            )
        }
        let document = try? JSONValue(decoding: Data(Array(buffer: body)))
        guard let accessKeyID = document?["AccessKeyId"]?.stringValue,
            let secret = document?["SecretAccessKey"]?.stringValue
        else {
            throw AWSError(
                kind: .malformedResponse,
                message: "\(url.absoluteString) answered without AccessKeyId and SecretAccessKey",
                operation: operation
            )
        }
        let expiration = document?["Expiration"]?.stringValue.flatMap { try? Date($0, strategy: .iso8601) }
        return AWSCredentials(
            accessKeyID: accessKeyID,
            secretAccessKey: secret,
            sessionToken: document?["Token"]?.stringValue,
            expiration: expiration
        )
    }

    private func endpoint() throws -> URL? {
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"], !relative.isEmpty {
            return URL(string: "http://\(Self.ecsAgentHost)\(relative.hasPrefix("/") ? "" : "/")\(relative)")
        }
        guard let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"], !full.isEmpty else { return nil }
        guard let url = URL(string: full), let host = url.host else {
            throw AWSError(kind: .credentials, message: "AWS_CONTAINER_CREDENTIALS_FULL_URI is not a URL: \(full)", operation: "credentials:container")
        }
        let bareHost = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let isLoopback = bareHost == "localhost" || bareHost.hasPrefix("127.") || bareHost == "::1"
        guard url.scheme == "https" || isLoopback || Self.allowedLinkLocalHosts.contains(bareHost) else {
            throw AWSError(
                kind: .credentials,
                message: "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or a loopback/ECS agent address, not \(host)",
                operation: "credentials:container"
            )
        }
        return url
    }

    private func authorizationToken() throws -> String? {
        if let path = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"], !path.isEmpty {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw AWSError(kind: .credentials, message: "cannot read token file \(path)", operation: "credentials:container")
            }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
    }
}
