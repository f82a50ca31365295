import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import Server
import SQLite
import Testing

/// The service's HTTP server against clients that are slow, old-fashioned or malformed, and over
/// a ledger that is locked elsewhere or gone. scripts/lib/hostile.sh runs the same against the
/// real binary, at scale (2,000 slow connections, few descriptors, a full disk).
@Suite struct HostileClientTests {
    /// The service's router in an application whose connections time out after `idleTimeout`.
    func application(_ harness: ServiceHarness, idleTimeout: Duration) throws -> some ApplicationProtocol {
        Application(
            router: try buildRouter(harness.backend, settings: harness.settings),
            server: .shiplog(idleTimeout: idleTimeout),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    @Test func aConnectionThatTricklesAnIncompleteRequestIsClosedAfterTheIdleTimeout() async throws {
        let harness = try await ServiceHarness(configured: false)
        try await application(harness, idleTimeout: .milliseconds(500)).test(.live) { client in
            let connection = try RawConnection(port: try #require(client.port))
            connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n")
            // Trickling more of the head does not keep it open: only a whole head counts.
            connection.send("X-Slow: a")
            let (text, elapsed) = try await connection.readUntilClosed()
            #expect(text.isEmpty)
            #expect(elapsed >= .milliseconds(300) && elapsed < .seconds(3))
        }
    }

    @Test func anHTTP10RequestIsAnsweredInHTTP10AndItsConnectionClosed() async throws {
        let harness = try await ServiceHarness(configured: false)
        try await application(harness, idleTimeout: .seconds(30)).test(.live) { client in
            // Well under the 30 s idle timeout, so a close is the response's.
            let connection = try RawConnection(port: try #require(client.port), timeout: .seconds(15))
            connection.send("GET /openapi.json HTTP/1.0\r\n\r\n")
            let (text, _) = try await connection.readUntilClosed()
            let response = RawResponse(text)
            #expect(response.statusLine.hasPrefix("HTTP/1.0 200"))
            #expect(response.headers["connection"] == "close")
            #expect(response.headers["transfer-encoding"] == nil)
            #expect(response.body.utf8.count == Int(response.headers["content-length"] ?? "") ?? -1)
        }
    }

    @Test func connectionCloseIsHonouredAndSaidInTheResponse() async throws {
        let harness = try await ServiceHarness(configured: false)
        try await application(harness, idleTimeout: .seconds(30)).test(.live) { client in
            let connection = try RawConnection(port: try #require(client.port), timeout: .seconds(15))
            connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: Close\r\n\r\n")
            let response = RawResponse(try await connection.readUntilClosed().text)
            #expect(response.statusLine.hasPrefix("HTTP/1.1 200"))
            #expect(response.headers["connection"] == "close")
        }
    }

    @Test(arguments: [
        ("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Large: \(String(repeating: "a", count: 100_000))\r\n\r\n", 431),
        ("NOT HTTP AT ALL\r\n\r\n", 400),
        ("GET /healthz HTTP/1.1\r\nHost x\r\n\r\n", 400),
    ])
    func aRequestTheParserRefusesGetsTheJSONErrorBody(request: String, status: Int) async throws {
        let harness = try await ServiceHarness(configured: false)
        try await application(harness, idleTimeout: .seconds(30)).test(.live) { client in
            let connection = try RawConnection(port: try #require(client.port), timeout: .seconds(15))
            connection.send(request)
            let response = RawResponse(try await connection.readUntilClosed().text)
            #expect(response.status == status)
            #expect(response.headers["content-type"]?.hasPrefix("application/json") == true)
            #expect(response.errorMessage?.isEmpty == false, "body: \(response.body)")
        }
    }

    @Test func anAppendWhileAnotherProcessHoldsTheLedgerIsA503WithRetryAfter() async throws {
        let harness = try await ServiceHarness(configured: false)
        let other = try Connection(path: harness.settings.databasePath, mode: .readWrite(create: false), busyTimeoutMilliseconds: 0)
        try other.execute("BEGIN EXCLUSIVE")
        let body = #"{"stream": "build-locked", "type": "ImageBuilt", "data": {"image": "ghcr.io/example/api", "tag": "3f9c2e1"}}"#
        try await harness.application().test(.router) { client in
            let locked = try await client.execute(uri: "/api/v1/events", method: .post, headers: .bearer(harness.maintainer), body: ByteBuffer(string: body))
            #expect(locked.status == .serviceUnavailable)
            #expect(locked.headers[.retryAfter] == "1")
            #expect(locked.errorMessage?.contains("busy") == true)
        }
        try other.execute("ROLLBACK")
        try await harness.application().test(.router) { client in
            let free = try await client.execute(uri: "/api/v1/events", method: .post, headers: .bearer(harness.maintainer), body: ByteBuffer(string: body))
            #expect(free.status == .created)
        }
    }

    @Test func theServiceIsNotReadyWhileItsLedgerFileIsGone() async throws {
        let harness = try await ServiceHarness(configured: false)
        let path = harness.settings.databasePath
        try await harness.application().test(.router) { client in
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .ok)
            try FileManager.default.moveItem(atPath: path, toPath: path + ".moved")
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .serviceUnavailable)
            try FileManager.default.moveItem(atPath: path + ".moved", toPath: path)
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .ok)
        }
    }
}
