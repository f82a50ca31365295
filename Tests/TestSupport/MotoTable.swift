import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A fresh DynamoDB table in moto for one test, keyed as the replica's lease table must be (the
/// string `replica`). Made with a plain request rather than shiplog's AWS client, which is under
/// test: moto reads the region from the Authorization header and does not check the signature.
public struct MotoTable: Sendable {
    public let name: String
    public let endpoint: URL

    /// Creates `shiplog-leases-<random>` at `endpoint`, partitioned by `key`.
    public init(endpoint: URL, key: String = "replica") async throws {
        self.endpoint = endpoint
        name = "shiplog-leases-\(UUID().uuidString.prefix(8).lowercased())"
        var request = URLRequest(url: endpoint)
        request.httpMethod = "POST"
        request.setValue("application/x-amz-json-1.0", forHTTPHeaderField: "Content-Type")
        request.setValue("DynamoDB_20120810.CreateTable", forHTTPHeaderField: "X-Amz-Target")
        request.setValue(
            "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
            forHTTPHeaderField: "Authorization")
        let body: [String: Any] = [
            "TableName": name,
            "KeySchema": [["AttributeName": key, "KeyType": "HASH"]],
            "AttributeDefinitions": [["AttributeName": key, "AttributeType": "S"]],
            "BillingMode": "PAY_PER_REQUEST",
        ]
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        let (data, response) = try await URLSession.shared.data(for: request)
        guard let status = (response as? HTTPURLResponse)?.statusCode, (200..<300).contains(status) else {
            throw MotoBucketError(description: "moto did not create the table \(name): \(String(decoding: data, as: UTF8.self))")
        }
    }
}
