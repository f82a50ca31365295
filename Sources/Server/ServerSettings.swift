import Clocks
import Foundation
import Ledger
import Replication

/// How `shiplog serve` runs: where it listens, which ledger and configuration it uses.
public struct ServerSettings: Sendable {
    public var host: String
    public var port: Int
    public var databasePath: String
    /// The configuration (shiplog.yml); without one the service records and reports but does
    /// not deploy or reconcile.
    public var configurationPath: String?
    /// Run the reconciler's loop inside the service; nil: when the configuration has `reconcile:`.
    public var reconciles: Bool?
    /// The secret GitHub signs webhook deliveries with; webhooks are refused without one.
    public var githubWebhookSecret: String?
    /// The Ed25519 key (signed-note encoding, from `shiplog keys create`) that signs checkpoints.
    public var signingKey: String?
    /// With a signing key: how soon after the log grows a checkpoint is signed.
    public var checkpointInterval: Duration = .seconds(10)
    /// The replication to S3, prepared (lease taken, ledger restored when missing) before the
    /// ledger is opened; nil serves the ledger on this machine alone.
    public var replicator: Replicator?
    /// How long a connection may send no complete request head (or body part) before it is
    /// closed, so slow or silent clients cannot hold connections; also how long an idle
    /// keep-alive connection stays open.
    public var idleTimeout: Duration

    /// The most connections served at once; more wait in the listen queue until one closes.
    ///
    /// It stays below the process's file descriptor limit: an accept that fails for want of a
    /// descriptor leaves swift-nio's server channel (2.101) with a read pending and registered
    /// for readability, so it retries at once, at full CPU, and its `AcceptBackoffHandler` never
    /// gets a read to delay. Not accepting beyond the cap is what keeps the loop quiet.
    public var maximumConnections: Int

    /// The idle timeout when none is given.
    public static let defaultIdleTimeout: Duration = .seconds(30)

    /// Descriptors left for everything but client connections: the ledger's files and its
    /// readers, the event loops, standard streams, outgoing HTTP clients.
    public static let reservedDescriptors = 48

    /// The connection cap when none is given: the descriptor limit less ``reservedDescriptors``.
    public static var defaultMaximumConnections: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return 10_000 }
        return max(1, Int(clamping: limit.rlim_cur) - reservedDescriptors)
    }

    /// The wall clock tokens' expiries are checked by (and their last uses kept by); tests step one.
    public var tokenClock: any ShiplogClock = SystemClock()
    /// The wall clock the ledger records `recorded_at` by; tests step one back.
    public var ledgerClock: any ShiplogClock = SystemClock()

    public init(
        host: String = "127.0.0.1", port: Int = 8080, databasePath: String, configurationPath: String? = nil,
        reconciles: Bool? = nil, githubWebhookSecret: String? = nil, signingKey: String? = nil,
        idleTimeout: Duration = ServerSettings.defaultIdleTimeout, maximumConnections: Int = ServerSettings.defaultMaximumConnections
    ) {
        self.maximumConnections = maximumConnections
        self.signingKey = signingKey
        self.idleTimeout = idleTimeout
        self.host = host
        self.port = port
        self.databasePath = databasePath
        self.configurationPath = configurationPath
        self.reconciles = reconciles
        self.githubWebhookSecret = githubWebhookSecret
    }
}
