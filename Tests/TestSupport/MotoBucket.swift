import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A fresh bucket in moto's S3 for one test: moto takes an unsigned CreateBucket.
public struct MotoBucket: Sendable {
    public let name: String
    public let endpoint: URL

    /// Creates `shiplog-<random>` at `endpoint`.
    public init(endpoint: URL) async throws {
        self.endpoint = endpoint
        name = "shiplog-\(UUID().uuidString.prefix(12).lowercased())"
        var request = URLRequest(url: endpoint.appending(path: name))
        request.httpMethod = "PUT"
        let (_, response) = try await URLSession.shared.data(for: request)
        guard let status = (response as? HTTPURLResponse)?.statusCode, (200..<300).contains(status) else {
            throw MotoBucketError(description: "moto did not create the bucket \(name): \(response)")
        }
    }

    /// The replica URL of `path` in this bucket, with moto as its endpoint.
    public func replica(_ path: String) -> String {
        "s3://\(name)/\(path)?endpoint=\(endpoint.absoluteString)&region=us-east-1"
    }
}

struct MotoBucketError: Error, CustomStringConvertible {
    let description: String
}
