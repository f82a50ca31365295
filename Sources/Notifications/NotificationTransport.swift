import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// What came of one attempt to send a notification.
public enum AttemptResult: Sendable, Equatable {
    /// The receiver answered with this HTTP status.
    case answered(Int)
    /// No answer: refused, reset, timed out.
    case noAnswer(String)

    var isSuccess: Bool {
        if case .answered(let status) = self { return (200..<300).contains(status) }
        return false
    }
}

/// Sends notifications; the HTTP one in service, a recording one in tests of routing.
public protocol NotificationTransport: Sendable {
    func send(_ notification: OutgoingNotification) async -> AttemptResult
}

/// POSTs each notification over HTTP(S), waiting at most `timeout` for the answer.
public struct HTTPNotificationTransport: NotificationTransport {
    private let httpClient: HTTPClient
    private let timeout: TimeAmount

    public init(httpClient: HTTPClient = .shared, timeout: TimeAmount = .seconds(10)) {
        self.httpClient = httpClient
        self.timeout = timeout
    }

    public func send(_ notification: OutgoingNotification) async -> AttemptResult {
        var request = HTTPClientRequest(url: notification.url)
        request.method = .POST
        for header in notification.headers { request.headers.add(name: header.name, value: header.value) }
        request.headers.add(name: "User-Agent", value: "shiplog")
        request.body = .bytes(ByteBuffer(bytes: notification.body))
        do {
            let response = try await httpClient.execute(request, timeout: timeout)
            // The answer's body says nothing the status does not; read a little so the connection can be reused.
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return .answered(Int(response.status.code))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return .noAnswer("no answer within \(timeout.nanoseconds / 1_000_000_000)s")
        } catch {
            return .noAnswer(String("\(error)".split(whereSeparator: \.isNewline).joined(separator: " ").prefix(200)))
        }
    }
}
