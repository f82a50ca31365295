import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import Server
import Testing

struct TlogAPITests {
    /// A service whose ledger holds `count` events more than its tokens' issuing left there.
    private static func harness(events count: Int) async throws -> ServiceHarness {
        let harness = try await ServiceHarness(configured: false)
        for start in stride(from: 0, to: count, by: 100) {
            _ = try await harness.store.append((start..<min(count, start + 100)).map { number in
                NewEvent(stream: "deployment-t\(number)", DeploymentRequested(app: "api", environment: "staging", tag: "t\(number)", trigger: .merge))
            })
        }
        return harness
    }

    @Test func tilesAreServedWithoutATokenAsTheStoreHoldsThemFullOnesImmutable() async throws {
        let harness = try await Self.harness(events: 300)
        let size = UInt64(try #require(try harness.store.head()).position)
        let partial = TlogTile(.hashes(level: 0), index: 1, width: Int(size - 256))
        try await harness.application().test(.router) { client in
            let full = try await client.execute(uri: "/tlog/tile/0/000", method: .get)
            #expect(full.status == .ok)
            #expect(full.headers[.contentType] == "application/octet-stream")
            #expect(full.headers[.cacheControl] == "public, max-age=31536000, immutable")
            #expect(Array(full.body.readableBytesView) == (try harness.store.tileData(TlogTile(.hashes(level: 0), index: 0))))

            let edge = try await client.execute(uri: "/tlog/\(partial.path)", method: .get)
            #expect(edge.status == .ok)
            #expect(edge.headers[.cacheControl] == "no-cache")
            #expect(Array(edge.body.readableBytesView) == (try harness.store.tileData(partial)))

            let entries = try await client.execute(uri: "/tlog/tile/entries/001.p/\(size - 256)", method: .get)
            #expect(entries.status == .ok)
            #expect(entries.body.readableBytes == Int(size - 256) * 34)
        }
    }

    @Test func aTileTheTreeDoesNotHoldIsA404AndAMalformedPathA400BothJSON() async throws {
        let harness = try await Self.harness(events: 300)
        let size = UInt64(try #require(try harness.store.head()).position)
        try await harness.application().test(.router) { client in
            for uri in ["/tlog/tile/0/001", "/tlog/tile/0/001.p/\(size - 256 + 1)", "/tlog/tile/1/000.p/2", "/tlog/tile/2/000.p/1", "/tlog/tile/entries/002.p/1"] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .notFound, "\(uri)")
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true, "\(uri)")
                #expect(response.errorMessage?.contains("does not hold") == true, "\(uri)")
            }
            for uri in ["/tlog/tile/0/1", "/tlog/tile/0/x000/001", "/tlog/tile/0/000.p/256", "/tlog/tile/9/000", "/tlog/tile/x/000", "/tlog/tile/0/000?w=1"] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .badRequest, "\(uri)")
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true, "\(uri)")
            }
        }
    }

    @Test func theCheckpointIsTheLatestSignedOneServedWithoutAToken() async throws {
        let harness = try await Self.harness(events: 3)
        let signer = try NoteSigner(generatingKeyNamed: "tlog.test")
        try await harness.application().test(.router) { client in
            let none = try await client.execute(uri: "/tlog/checkpoint", method: .get)
            #expect(none.status == .notFound)
            #expect(none.errorMessage?.contains("no checkpoint") == true)

            let note = try await harness.store.signCheckpoint(origin: "tlog.test", signer: signer, time: Date())
            let served = try await client.execute(uri: "/tlog/checkpoint", method: .get)
            #expect(served.status == .ok)
            #expect(served.headers[.contentType]?.hasPrefix("text/plain") == true)
            #expect(served.headers[.cacheControl] == "no-cache")
            #expect(String(buffer: served.body) == note)
            #expect(try Checkpoint(body: signer.verifier.open(note)).root == (try harness.store.treeHead()).root)
        }
    }
}
