import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import Logging
import NIOHTTP1
@testable import Server
import Testing

@Suite(.timeLimit(.minutes(1))) struct EventStreamTests {
    @Test func eventsAppendedAfterSubscribingArriveWithTheirIdTypeAndData() async throws {
        let harness = try await ServiceHarness(configured: false)
        try await harness.application().test(.live) { client in
            let response = try await open(client, headers: [("Authorization", "Bearer \(harness.viewer)")])
            #expect(response.status == .ok)
            #expect(response.headers["Content-Type"] == ["text/event-stream"])
            #expect(response.headers["Cache-Control"] == ["no-cache"])
            var reader = ServerSentEventReader(response)

            let appended = try await harness.store.append([
                NewEvent(stream: "deployment-42", ImageBuilt(image: "ghcr.io/wordpress/openverse-api", tag: "3f9c2e1"), metadata: EventMetadata(actor: "ana")),
                NewEvent(stream: "deployment-42", BuildFailed(image: "ghcr.io/wordpress/openverse-api_nginx", reason: "no space left"), metadata: EventMetadata(actor: "ana")),
            ]).events
            for event in appended {
                let message = try #require(try await reader.nextEvent())
                #expect(message.id == String(event.position))
                #expect(message.event == event.type)
                #expect(message.data == event.jsonLine())
            }
        }
    }

    /// The dashboard's script opens the stream with the session cookie `POST /login` set, not a
    /// bearer header: the same messages reach it.
    @Test func theDashboardsSessionCookieOpensTheStream() async throws {
        let harness = try await ServiceHarness(configured: false)
        try await harness.application().test(.live) { client in
            let response = try await open(client, headers: [("Cookie", "shiplog_token=\(harness.viewer)")])
            #expect(response.status == .ok)
            var reader = ServerSentEventReader(response)
            let appended = try await harness.store.append([
                NewEvent(stream: "deployment-7", ImageBuilt(image: "ghcr.io/wordpress/openverse-api", tag: "a1b2c3d"), metadata: EventMetadata(actor: "ana")),
            ]).events
            let message = try #require(try await reader.nextEvent())
            #expect(message.id == String(appended[0].position))
            #expect(message.event == "ImageBuilt")
            let metrics = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(try #require(client.port))/metrics"), timeout: .seconds(10))
            let text = String(buffer: try await metrics.body.collect(upTo: 1 << 20))
            #expect(text.contains("shiplog_event_streams_open 1"))
        }
    }

    @Test func resumingWithLastEventIDDeliversExactlyTheEventsAfterIt() async throws {
        let harness = try await ServiceHarness(configured: false)
        var appended: [Int64] = []
        for number in 1...5 {
            let result = try await harness.store.append([NewEvent(stream: "build-\(number)", ImageBuilt(image: "ghcr.io/wordpress/openverse-api", tag: "t\(number)"))])
            appended += result.events.map(\.position)
        }
        let positions = appended
        try await harness.application().test(.live) { client in
            // The browser's way: the token in the cookie, the position it last saw in the header,
            // and the URL it first opened (whose `after` is older, so the header wins).
            let response = try await open(client, query: "?after=\(positions[0])", headers: [
                ("Cookie", "shiplog_token=\(harness.viewer)"), ("Last-Event-ID", String(positions[1])),
            ])
            #expect(response.status == .ok)
            var reader = ServerSentEventReader(response)
            var received: [String?] = []
            for _ in 0..<3 { received.append(try await reader.nextEvent()?.id) }
            #expect(received == positions[2...].map { String($0) })

            let later = try await harness.store.append([NewEvent(stream: "build-6", ImageBuilt(image: "ghcr.io/wordpress/openverse-api", tag: "t6"))])
            #expect(try await reader.nextEvent()?.id == String(later.events[0].position))
        }
    }

    @Test func theStreamAndTypeFiltersLetOnlyMatchingEventsThrough() async throws {
        let harness = try await ServiceHarness(configured: false)
        try await harness.application().test(.live) { client in
            let response = try await open(client, query: "?stream=deployment-7&type=BuildFailed", headers: [("Authorization", "Bearer \(harness.viewer)")])
            var reader = ServerSentEventReader(response)
            _ = try await harness.store.append([
                NewEvent(stream: "deployment-7", ImageBuilt(image: "ghcr.io/wordpress/openverse-api", tag: "t7")),
                NewEvent(stream: "deployment-8", BuildFailed(image: "ghcr.io/wordpress/openverse-api", reason: "other stream")),
                NewEvent(stream: "deployment-7", BuildFailed(image: "ghcr.io/wordpress/openverse-api", reason: "this one")),
            ])
            let message = try #require(try await reader.nextEvent())
            #expect(message.event == "BuildFailed")
            #expect(message.data?.contains("this one") == true)
        }
    }

    @Test func dataStoredAcrossLinesStillArrivesAsOneEventWithItsJSONIntact() async throws {
        let harness = try await ServiceHarness(configured: false)
        try await harness.application().test(.live) { client in
            var reader = ServerSentEventReader(try await open(client, headers: [("Authorization", "Bearer \(harness.viewer)")]))
            let data = "{\r\n  \"image\": \"ghcr.io/wordpress/openverse-api\",\n  \"tag\": \"3f9c2e1\"\r}"
            let event = try await harness.store.append([NewEvent(stream: "build-1", type: "ImageBuilt", data: data)]).events[0]
            #expect(event.data == data)
            let message = try #require(try await reader.nextEvent())
            #expect(message.id == String(event.position))
            let object = try #require(try JSONSerialization.jsonObject(with: Data((message.data ?? "").utf8)) as? [String: Any])
            #expect((object["data"] as? [String: Any])?["tag"] as? String == "3f9c2e1")
        }
    }

    @Test func aStaleOrMalformedStartIsRefusedWith400BeforeTheStreamStarts() async throws {
        let harness = try await ServiceHarness(configured: false)
        try await harness.application().test(.router) { client in
            let head = try #require(try harness.store.head()?.position)
            var headers = HTTPFields.bearer(harness.viewer)
            headers[HTTPField.Name("Last-Event-ID")!] = String(head + 100)
            let stale = try await client.execute(uri: "/api/v1/events/stream", method: .get, headers: headers)
            #expect(stale.status == .badRequest)
            #expect(stale.errorMessage == "Last-Event-ID \(head + 100) is beyond the ledger's head (\(head)): it is not a position of this ledger")
            headers[HTTPField.Name("Last-Event-ID")!] = "evt-17"
            #expect(try await client.execute(uri: "/api/v1/events/stream", method: .get, headers: headers).status == .badRequest)

            let viewer = HTTPFields.bearer(harness.viewer)
            let negative = try await client.execute(uri: "/api/v1/events/stream?after=-1", method: .get, headers: viewer)
            #expect(negative.errorMessage == "after must be a position in the log (0 or more), not '-1'")
            let unknown = try await client.execute(uri: "/api/v1/events/stream?since=2026-11-27", method: .get, headers: viewer)
            #expect(unknown.status == .badRequest)
            #expect(unknown.errorMessage?.hasPrefix("unknown query parameter 'since'") == true)
            let badName = try await client.execute(uri: "/api/v1/events/stream?stream=a%2Fb", method: .get, headers: viewer)
            #expect(badName.status == .badRequest)
        }
    }

    @Test func withoutATokenTheStreamIsRefusedWith401() async throws {
        let harness = try await ServiceHarness(configured: false)
        try await harness.application().test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/events/stream", method: .get)
            #expect(response.status == .unauthorized)
            #expect(response.errorMessage?.contains("bearer token") == true)
        }
    }

    @Test func anOpenStreamEndsWhenTheServiceShutsDown() async throws {
        let harness = try await ServiceHarness(configured: false)
        let reading = try await harness.application().test(.live) { client in
            let response = try await open(client, headers: [("Authorization", "Bearer \(harness.viewer)")])
            #expect(response.status == .ok)
            return Task {
                var reader = ServerSentEventReader(response)
                while try await reader.next() != nil {}
                return true
            }
        }
        // The test returned once the server had shut down, which it does only after every stream ended.
        #expect(try await reading.value)
    }

    @Test func anIdleStreamGetsKeepAlivesAndItsLoopEndsOnceTheClientHasGone() async throws {
        let harness = try await ServiceHarness(configured: false)
        let watcher = LedgerWatcher(store: harness.store, interval: .milliseconds(20), keepAlive: .milliseconds(200), logger: Logger(label: "test"))
        let router = Router(context: ShiplogRequestContext.self)
        router.add(middleware: TokenAuthenticator(tokens: harness.backend.tokens))
        router.addRoutes(EventStreamController(backend: harness.backend, watcher: watcher).endpoints, atPath: "api/v1/events/stream")
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let (messages, received) = AsyncStream.makeStream(of: ServerSentEventReader.Message.self)
            let reading = Task {
                let response = try await open(client, headers: [("Authorization", "Bearer \(harness.viewer)")])
                var reader = ServerSentEventReader(response)
                while let message = try await reader.next() { received.yield(message) }
            }
            var iterator = messages.makeAsyncIterator()
            #expect(await iterator.next()?.comment == "keep-alive")
            #expect(watcher.subscriberCount == 1)

            reading.cancel()
            let deadline = ContinuousClock.now + .seconds(10)
            while watcher.subscriberCount > 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(watcher.subscriberCount == 0)
            #expect(!watcher.isWatching, "nothing reads the ledger while no stream is open")
        }
    }

    private func open(_ client: some TestClientProtocol, query: String = "", headers: [(String, String)]) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(try #require(client.port))/api/v1/events/stream\(query)")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        return try await HTTPClient.shared.execute(request, timeout: .seconds(30))
    }
}
