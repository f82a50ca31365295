import Access
import Clocks
import Deploy
import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import Logging
import Server
import Simulation
import TestSupport

/// A service over a fresh ledger and the example configuration on the simulated drivers, with a
/// token of each role.
struct ServiceHarness: Sendable {
    let directory = TemporaryDirectory()
    let settings: ServerSettings
    let backend: Backend
    let viewer: String
    let deployer: String
    let maintainer: String

    /// - Parameters:
    ///   - configured: false starts the service without a configuration (no deploying).
    ///   - tokenClock: the wall clock tokens expire by.
    ///   - ledgerClock: the wall clock the ledger records by.
    init(
        configured: Bool = true, webhookSecret: String? = nil, signingKey: String? = nil,
        configurationText: String = ExampleConfiguration.text, tokenClock: any ShiplogClock = SystemClock(),
        ledgerClock: any ShiplogClock = SystemClock()
    ) async throws {
        var configurationPath: String?
        if configured {
            let path = directory.path("shiplog.yml")
            try configurationText.write(toFile: path, atomically: true, encoding: .utf8)
            configurationPath = path
        }
        var settings = ServerSettings(
            host: "127.0.0.1", port: 0, databasePath: directory.path("ledger.sqlite"), configurationPath: configurationPath,
            reconciles: false, githubWebhookSecret: webhookSecret, signingKey: signingKey)
        settings.tokenClock = tokenClock
        settings.ledgerClock = ledgerClock
        self.settings = settings
        backend = try await buildBackend(settings, logger: Logger(label: "test"))
        let admin = EventMetadata(actor: "test-admin")
        viewer = try await backend.tokens.issue(name: "vera-viewer", role: .viewer, metadata: admin).secret
        deployer = try await backend.tokens.issue(name: "dave-deployer", role: .deployer, metadata: admin).secret
        maintainer = try await backend.tokens.issue(name: "ana-maintainer", role: .maintainer, metadata: admin).secret
    }

    var store: EventStore { backend.store }

    /// The service's router in an application, for `app.test(.router)` or `.live`.
    func application() throws -> some ApplicationProtocol {
        Application(
            router: try buildRouter(backend, settings: settings), server: .shiplog(idleTimeout: settings.idleTimeout),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    /// Waits until the deployment `id` has an outcome other than in progress and has let its
    /// environment go (its claim released), as the next deployment there needs.
    func outcome(of id: String, timeout: Duration = .seconds(30)) async throws -> DeploymentRecord {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let record = try store.deployments(DeploymentFilter(id: id, limit: 1)).first, record.outcome != .inProgress,
               try store.events(EventFilter(type: "DeploymentClaimReleased")).contains(where: { $0.data.contains("\"\(id)\"") }) {
                return record
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw HarnessError("deployment \(id) did not finish in \(timeout)")
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension HTTPFields {
    static func bearer(_ token: String) -> HTTPFields {
        [.authorization: "Bearer \(token)", .contentType: "application/json"]
    }
}

extension TestResponse {
    /// The body parsed as a JSON object.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }

    /// The message of an error body, `{"error": {"message": ...}}`.
    var errorMessage: String? {
        (json["error"] as? [String: Any])?["message"] as? String
    }
}
