import Access
import Clocks
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import Server
import Synchronization
import Testing

/// A wall clock the test moves by hand.
final class HandClock: ShiplogClock {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_795_000_000)) {
        current = Mutex(start)
    }

    var now: Date { current.withLock { $0 } }

    func sleep(for duration: Duration) async throws {
        advance(by: duration.timeInterval)
    }

    func advance(by seconds: TimeInterval) {
        current.withLock { $0 += seconds }
    }
}

@Suite struct TokenExpiryTests {
    /// When `token list` says the harness's viewer token was last used.
    private static func lastUse(_ harness: ServiceHarness) throws -> String? {
        try harness.backend.tokens.list().first { $0.name == "vera-viewer" }?.lastUsedAt
    }

    @Test func aTokenWorksUntilItsExpiryAndIsThenA401OnEveryRoute() async throws {
        let clock = HandClock()
        let harness = try await ServiceHarness(tokenClock: clock)
        let issued = try await harness.backend.tokens.issue(
            name: "ci-expiring", role: .viewer, expiresIn: try TokenLifetime("1h"), metadata: EventMetadata(actor: "test-admin"))
        #expect(issued.record.expiresAt == Timestamp.string(from: clock.now.addingTimeInterval(3600)))
        let recorded = try #require(try harness.store.events(EventFilter(stream: "tokens")).last)
        #expect(try TokenIssued.decode(from: recorded.data).expiresAt == issued.record.expiresAt)

        let token = issued.secret
        let cookie: HTTPFields = [.cookie: "shiplog_token=\(token)"]
        try await harness.application().test(.router) { client in
            clock.advance(by: 3599)
            #expect(try await client.execute(uri: "/api/v1/environments", method: .get, headers: .bearer(token)).status == .ok)
            #expect(try await client.execute(uri: "/", method: .get, headers: cookie).status == .ok)

            clock.advance(by: 1)
            let api = try await client.execute(uri: "/api/v1/environments", method: .get, headers: .bearer(token))
            #expect(api.status == .unauthorized)
            #expect(api.errorMessage?.contains("bearer token") == true)
            let stream = try await client.execute(uri: "/api/v1/events/stream", method: .get, headers: .bearer(token))
            #expect(stream.status == .unauthorized)
            #expect(stream.errorMessage != nil)
            let login = try await client.execute(
                uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "token=\(token)"))
            #expect(login.status == .unauthorized)
            #expect(login.headers[.setCookie] == nil)
            let dashboard = try await client.execute(uri: "/", method: .get, headers: cookie)
            #expect(dashboard.status == .seeOther)
            #expect(dashboard.headers[.location] == "/login")
            // Tokens without an expiry are untouched by the clock.
            #expect(try await client.execute(uri: "/api/v1/environments", method: .get, headers: .bearer(harness.viewer)).status == .ok)
        }
    }

    @Test func aTokensLastUseIsKeptAtMostOnceAMinuteAndNeverInTheLog() async throws {
        let clock = HandClock()
        let harness = try await ServiceHarness(tokenClock: clock)
        #expect(try Self.lastUse(harness) == nil)
        let head = try harness.store.head()?.position
        let first = clock.now
        try await harness.application().test(.router) { client async throws -> Void in
            #expect(try await client.execute(uri: "/api/v1/audit", method: .get, headers: .bearer(harness.viewer)).status == .ok)
            #expect(try Self.lastUse(harness) == Timestamp.string(from: first))

            clock.advance(by: 59)
            #expect(try await client.execute(uri: "/api/v1/audit", method: .get, headers: .bearer(harness.viewer)).status == .ok)
            #expect(try Self.lastUse(harness) == Timestamp.string(from: first))

            clock.advance(by: 1)
            #expect(try await client.execute(uri: "/api/v1/audit", method: .get, headers: .bearer(harness.viewer)).status == .ok)
            #expect(try Self.lastUse(harness) == Timestamp.string(from: first.addingTimeInterval(60)))
        }
        #expect(try harness.store.head()?.position == head)
        #expect(try harness.backend.tokens.list().first { $0.name == "dave-deployer" }?.lastUsedAt == nil)
    }

    @Test func lifetimesAreAPositiveCountAndOneUnit() throws {
        #expect(try TokenLifetime("90d").seconds == 90 * 86_400)
        #expect(try TokenLifetime("12h").seconds == 12 * 3600)
        #expect(try TokenLifetime("30m").seconds == 1800)
        #expect(try TokenLifetime("45s").seconds == 45)
        for bad in ["0d", "-5d", "90", "d", "ninety", "5w", "1.5h", "+3d", "", " 3d", "99999999999d", "3651d", "٣d"] {
            #expect(throws: TokenError.self, "\(bad)") { try TokenLifetime(bad) }
        }
    }
}
