import Foundation

/// An AWS call that failed: what kind of failure, AWS's own error code and message, and the operation.
///
/// Service errors keep the code from the body's `__type` (namespace stripped) and its
/// `message`/`Message`, so callers can match on `code == "ClusterNotFoundException"`.
public struct AWSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, independent of the service.
    public enum Kind: String, Sendable, Hashable, CustomStringConvertible {
        /// AWS answered with a client error (4xx) that retrying will not fix.
        case service
        /// AWS asked us to slow down (ThrottlingException and friends, HTTP 429).
        case throttling
        /// AWS failed on its side (HTTP 5xx).
        case serverError
        /// The response could not be read: not JSON, truncated, or missing a required field.
        case malformedResponse
        /// The connection failed before a response arrived.
        case transport
        /// No response within the configured time.
        case timeout
        /// No credentials could be found or fetched.
        case credentials

        public var description: String { rawValue }
    }

    public let kind: Kind
    /// AWS's error code, such as `ThrottlingException`; nil when AWS never answered.
    public let code: String?
    public let message: String
    /// The operation, such as `ecs:DescribeServices`.
    public let operation: String
    /// The HTTP status, when there was a response.
    public let statusCode: Int?

    public init(kind: Kind, code: String? = nil, message: String, operation: String, statusCode: Int? = nil) {
        self.kind = kind
        self.code = code
        self.message = message
        self.operation = operation
        self.statusCode = statusCode
    }

    /// Whether a retry may succeed: throttling, 5xx, timeouts and dropped connections.
    public var isRetryable: Bool {
        switch kind {
        case .throttling, .serverError, .timeout, .transport: true
        case .service, .malformedResponse, .credentials: false
        }
    }

    /// Whether AWS refused the request's credentials as expired: worth reading them again.
    public var isExpiredCredentials: Bool {
        code.map(Self.expiredCredentialCodes.contains) ?? false
    }

    /// Whether the request failed on who sent it rather than on what it asked: no credentials,
    /// expired or unknown ones, a bad signature, or access denied. Says nothing about the
    /// resource, so after a service was told it is never a verdict on the deployment.
    public var isAuthFailure: Bool {
        kind == .credentials || isExpiredCredentials || code.map(Self.authFailureCodes.contains) ?? false
            || statusCode == 401 || statusCode == 403
    }

    /// Codes the AWS SDKs answer by refreshing credentials (botocore's and the JS SDK's lists).
    static let expiredCredentialCodes: Set<String> = [
        "ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired", "InvalidClientTokenId",
    ]

    static let authFailureCodes: Set<String> = [
        "UnrecognizedClientException", "AccessDeniedException", "AccessDenied", "InvalidSignatureException",
        "SignatureDoesNotMatch", "MissingAuthenticationTokenException", "IncompleteSignature", "AuthFailure",
    ]

    public var description: String {
        var text = "\(operation) failed"
        if let code { text += ": \(code)" }
        if let statusCode { text += " (HTTP \(statusCode))" }
        if !message.isEmpty { text += ": \(message)" }
        return text
    }

    /// Error codes AWS SDKs treat as throttling (botocore's list); JSON 1.1 services answer them with 400.
    static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
        "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
    ]

    /// Builds the error for an HTTP error response from a JSON 1.1 service.
    ///
    /// The code comes from the body's `__type` (or the `X-Amzn-ErrorType` header), with any
    /// `namespace#` prefix and `:` suffix removed, as the AWS SDKs do.
    static func fromResponse(status: Int, body: [UInt8], errorTypeHeader: String?, operation: String) -> AWSError {
        let document = try? JSONValue(decoding: .init(body))
        let rawCode = document?["__type"]?.stringValue ?? document?["code"]?.stringValue ?? errorTypeHeader
        let code = rawCode.map(Self.sanitize(code:))
        let message =
            document?["message"]?.stringValue ?? document?["Message"]?.stringValue
            ?? (document == nil ? String(decoding: body.prefix(200), as: UTF8.self) : "")
        let kind: Kind
        if status == 429 || code.map(throttlingCodes.contains) == true {
            kind = .throttling
        } else if status >= 500 {
            kind = .serverError
        } else {
            kind = .service
        }
        return AWSError(kind: kind, code: code, message: message, operation: operation, statusCode: status)
    }

    private static func sanitize(code: String) -> String {
        var code = Substring(code)
        if let hash = code.lastIndex(of: "#") { code = code[code.index(after: hash)...] }
        if let colon = code.firstIndex(of: ":") { code = code[..<colon] }
        return String(code)
    }
}
