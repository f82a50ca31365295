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
    /// How long a connection may send no complete request head (or body part) before it is
    /// closed, so slow or silent clients cannot hold connections; also how long an idle
    /// keep-alive connection stays open.
    public var idleTimeout: Duration

    /// The idle timeout when none is given.
    public static let defaultIdleTimeout: Duration = .seconds(30)

    public init(
        host: String = "127.0.0.1", port: Int = 8080, databasePath: String, configurationPath: String? = nil,
        reconciles: Bool? = nil, githubWebhookSecret: String? = nil, signingKey: String? = nil,
        idleTimeout: Duration = ServerSettings.defaultIdleTimeout
    ) {
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
