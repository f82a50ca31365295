import Ledger

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
    /// The wall clock tokens' expiries are checked by (and their last uses kept by); tests step one.
    public var tokenClock: any LedgerClock = SystemClock()

    public init(
        host: String = "127.0.0.1", port: Int = 8080, databasePath: String, configurationPath: String? = nil,
        reconciles: Bool? = nil, githubWebhookSecret: String? = nil, signingKey: String? = nil
    ) {
        self.signingKey = signingKey
        self.host = host
        self.port = port
        self.databasePath = databasePath
        self.configurationPath = configurationPath
        self.reconciles = reconciles
        self.githubWebhookSecret = githubWebhookSecret
    }
}
