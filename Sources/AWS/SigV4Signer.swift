import Crypto
import Foundation

/// Signs requests with AWS Signature Version 4 (header form).
///
/// Follows "Create a signed AWS API request" in the IAM user guide: a canonical request
/// (method, URI, sorted query, sorted lower-cased headers with trimmed values, signed header
/// list, payload hash), a string to sign over its SHA-256, and an HMAC-SHA256 key derived from
/// the secret, date, region and service.
///
/// ```swift
/// let signer = SigV4Signer(credentials: creds, region: "us-east-1", service: "ecs")
/// let signed = signer.sign(SigV4Request(method: "POST", host: "ecs.us-east-1.amazonaws.com", body: body), date: .now)
/// for (name, value) in signed.headersToAdd { request.headers.add(name: name, value: value) }
/// ```
public struct SigV4Signer: Sendable {
    public let credentials: AWSCredentials
    public let region: String
    public let service: String

    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// Everything the signing produced, intermediate steps included so they can be checked.
    public struct Signature: Sendable, Equatable {
        public let canonicalRequest: String
        public let stringToSign: String
        public let signature: String
        public let authorization: String
        /// Headers to add to the request: `X-Amz-Date`, the session token, the payload hash when asked, `Authorization`.
        public let headersToAdd: [(String, String)]

        public static func == (lhs: Signature, rhs: Signature) -> Bool {
            lhs.canonicalRequest == rhs.canonicalRequest && lhs.authorization == rhs.authorization
        }
    }

    /// Signs a request at the given time.
    /// - Parameters:
    ///   - request: the request as it will be sent; its `Host` must be among its headers or given as `host`.
    ///   - date: the signing time (sent as `X-Amz-Date`).
    ///   - addContentSHA256Header: also sign and send `x-amz-content-sha256` (S3 requires it; other services accept it).
    public func sign(_ request: SigV4Request, date: Date, addContentSHA256Header: Bool = false) -> Signature {
        let amzDate = Self.amzDate(date)
        let scopeDate = String(amzDate.prefix(8))
        let payloadHash = Self.hexSHA256(request.body)

        var headers = request.headers
        var added: [(String, String)] = []
        if !headers.contains(where: { $0.0.lowercased() == "host" }) {
            headers.append(("Host", request.host))
        }
        added.append(("X-Amz-Date", amzDate))
        if let token = credentials.sessionToken {
            added.append(("X-Amz-Security-Token", token))
        }
        if addContentSHA256Header {
            added.append(("x-amz-content-sha256", payloadHash))
        }
        headers += added

        let canonicalHeaders = Self.canonicalHeaders(headers)
        let signedHeaders = canonicalHeaders.map(\.name).joined(separator: ";")
        let canonicalRequest = [
            request.method.uppercased(),
            Self.canonicalURI(request.path),
            Self.canonicalQuery(request.query),
            canonicalHeaders.map { "\($0.name):\($0.value)\n" }.joined(),
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")

        let scope = "\(scopeDate)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256",
            amzDate,
            scope,
            Self.hexSHA256(Array(canonicalRequest.utf8)),
        ].joined(separator: "\n")

        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [scopeDate, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        added.append(("Authorization", authorization))
        return Signature(
            canonicalRequest: canonicalRequest,
            stringToSign: stringToSign,
            signature: signature,
            authorization: authorization,
            headersToAdd: added
        )
    }

    /// `YYYYMMDD'T'HHMMSS'Z'` in UTC.
    public static func amzDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return pad(parts.year, 4) + pad(parts.month, 2) + pad(parts.day, 2) + "T" + pad(parts.hour, 2)
            + pad(parts.minute, 2) + pad(parts.second, 2) + "Z"
    }

    /// Lower-cased names, sorted; values trimmed with inner runs of spaces collapsed; repeats joined by commas.
    static func canonicalHeaders(_ headers: [(String, String)]) -> [(name: String, value: String)] {
        var merged: [String: [String]] = [:]
        for (name, value) in headers {
            let trimmed = value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            merged[name.lowercased(), default: []].append(trimmed.trimmingCharacters(in: .whitespaces))
        }
        return merged.keys.sorted().map { ($0, merged[$0]!.joined(separator: ",")) }
    }

    /// The path with each segment percent-encoded once (the path is given decoded).
    static func canonicalURI(_ path: String) -> String {
        if path.isEmpty { return "/" }
        return path.split(separator: "/", omittingEmptySubsequences: false)
            .map { uriEncode(String($0)) }
            .joined(separator: "/")
    }

    /// Query pairs encoded, then sorted by key and value.
    static func canonicalQuery(_ query: [(String, String)]) -> String {
        let encoded: [(key: String, value: String)] = query.map { (uriEncode($0.0), uriEncode($0.1)) }
        let sorted = encoded.sorted { lhs, rhs in
            lhs.key == rhs.key ? lhs.value < rhs.value : lhs.key < rhs.key
        }
        return sorted.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
    }

    /// RFC 3986 encoding as SigV4 wants it: only `A-Z a-z 0-9 - _ . ~` stay, bytes become `%XX` upper-case.
    static func uriEncode(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            if isUnreserved(byte) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += "%" + hexByte(byte).uppercased()
            }
        }
        return result
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        let isLetter = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
        let isDigit = byte >= 0x30 && byte <= 0x39
        return isLetter || isDigit || byte == 0x2D || byte == 0x5F || byte == 0x2E || byte == 0x7E
    }

    static func hexSHA256(_ bytes: [UInt8]) -> String {
        hex(SHA256.hash(data: bytes))
    }

    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        bytes.map(hexByte).joined()
    }

    private static func hexByte(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
    }
}
