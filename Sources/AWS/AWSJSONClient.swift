import AsyncHTTPClient
import Clocks
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Calls one AWS service over its JSON protocol (1.1 for ECS and ECR, 1.0 for DynamoDB): signed
/// `POST /` with `X-Amz-Target`.
///
/// Each call is retried by the configuration's ``RetryPolicy`` on throttling, 5xx, timeouts and
/// dropped connections, and once more with freshly read credentials after an expired-token
/// answer; error bodies become ``AWSError`` with AWS's code and message.
///
/// ```swift
/// let ecs = AWSJSONClient(service: .ecs, configuration: config)
/// let output = try await ecs.call("DescribeClusters", ["clusters": ["staging-default"]])
/// ```
public struct AWSJSONClient: Sendable {
    public let service: AWSService
    public let configuration: AWSClientConfiguration
    private let httpClient: HTTPClient
    private let logger: Logger

    /// - Parameter httpClient: the client to call with; by default the process's client for the
    ///   configuration's timeout (`HTTPClient.aws(timeout:)`).
    public init(
        service: AWSService,
        configuration: AWSClientConfiguration,
        httpClient: HTTPClient? = nil,
        logger: Logger = Logger(label: "shiplog.aws")
    ) {
        self.service = service
        self.configuration = configuration
        self.httpClient = httpClient ?? .aws(timeout: configuration.timeout)
        self.logger = logger
    }

    /// Calls `operation` with `input` and returns the decoded response body.
    /// - Throws: ``AWSError`` when the call fails after the retries the policy allows.
    public func call(_ operation: String, _ input: JSONValue = [:]) async throws -> JSONValue {
        let operationName = "\(service.signingName):\(operation)"
        let body: [UInt8]
        do {
            body = Array(try input.encoded())
        } catch {
            throw AWSError(kind: .service, message: "cannot encode input: \(error)", operation: operationName)
        }
        do {
            return try await configuration.retry.run(clock: configuration.clock) {
                try await attempt(operation: operation, operationName: operationName, body: body)
            }
        } catch let error as AWSError where error.isExpiredCredentials {
            // Credentials can expire between two reads of them (or be rotated early): read them
            // again and ask once more, as the SDKs do; a second refusal is the answer.
            logger.notice("credentials expired; reading them again", metadata: ["aws.operation": "\(operationName)", "aws.error": "\(error.code ?? "")"])
            await configuration.credentials.invalidate()
            return try await configuration.retry.run(clock: configuration.clock) {
                try await attempt(operation: operation, operationName: operationName, body: body)
            }
        }
    }

    private func attempt(operation: String, operationName: String, body: [UInt8]) async throws -> JSONValue {
        guard let credentials = try await configuration.credentials.credentials() else {
            throw AWSError(kind: .credentials, message: "no credentials", operation: operationName)
        }
        let endpoint = configuration.endpoint(for: service)
        guard let host = endpoint.host else {
            throw AWSError(kind: .transport, message: "endpoint has no host: \(endpoint)", operation: operationName)
        }
        let hostHeader = endpoint.port.map { "\(host):\($0)" } ?? host
        let contentType = "application/x-amz-json-\(service.jsonVersion)"
        let target = "\(service.targetPrefix).\(operation)"
        let path = endpoint.path.isEmpty ? "/" : endpoint.path
        let signer = SigV4Signer(credentials: credentials, region: configuration.region, service: service.signingName)
        let signature = signer.sign(
            SigV4Request(
                method: "POST",
                host: hostHeader,
                path: path,
                headers: [("Host", hostHeader), ("Content-Type", contentType), ("X-Amz-Target", target)],
                body: body
            ),
            date: configuration.clock.now
        )

        var request = HTTPClientRequest(url: endpoint.absoluteString)
        request.method = .POST
        request.headers.add(name: "Host", value: hostHeader)
        request.headers.add(name: "Content-Type", value: contentType)
        request.headers.add(name: "X-Amz-Target", value: target)
        request.headers.add(name: "User-Agent", value: "shiplog")
        for (name, value) in signature.headersToAdd {
            request.headers.add(name: name, value: value)
        }
        request.body = .bytes(ByteBuffer(bytes: body))

        logger.debug("aws call", metadata: ["aws.operation": "\(operationName)", "aws.endpoint": "\(endpoint)"])
        let status: Int
        let responseBody: [UInt8]
        let errorType: String?
        do {
            let response = try await httpClient.execute(request, timeout: TimeAmount(configuration.timeout))
            status = Int(response.status.code)
            errorType = response.headers.first(name: "X-Amzn-ErrorType")
            responseBody = Array(buffer: try await response.body.collect(upTo: 64 << 20))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw AWSError(
                kind: .timeout,
                message: "no response from \(endpoint.absoluteString) within \(configuration.timeout)",
                operation: operationName
            )
        } catch let error as AWSError {
            throw error
        } catch {
            throw AWSError(
                kind: .transport,
                message: "request to \(endpoint.absoluteString) failed: \(error)",
                operation: operationName
            )
        }

        guard (200..<300).contains(status) else {
            let error = AWSError.fromResponse(
                status: status,
                body: responseBody,
                errorTypeHeader: errorType,
                operation: operationName
            )
            logger.debug("aws error", metadata: ["aws.operation": "\(operationName)", "aws.error": "\(error)"])
            throw error
        }
        if responseBody.isEmpty { return [:] }
        do {
            return try JSONValue(decoding: Data(responseBody))
        } catch {
            throw AWSError(
                kind: .malformedResponse,
                message: "response is not valid JSON (\(responseBody.count) bytes, truncated or corrupt)",
                operation: operationName,
                statusCode: status
            )
        }
    }
}
