import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Fetches over HTTP(S) with AsyncHTTPClient.
public struct HTTPVersionFetcher: VersionFetcher {
    private let httpClient: HTTPClient
    private let timeout: TimeAmount

    public init(httpClient: HTTPClient = .shared, timeout: TimeAmount = .seconds(10)) {
        self.httpClient = httpClient
        self.timeout = timeout
    }

    public func fetch(_ url: String) async throws -> String {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json, text/plain")
        let response = try await httpClient.execute(request, timeout: timeout)
        let body = try await response.body.collect(upTo: 64 * 1024)
        guard (200..<300).contains(Int(response.status.code)) else {
            throw DeployError.badRequest("\(url) answered HTTP \(response.status.code)")
        }
        return String(buffer: body)
    }
}
