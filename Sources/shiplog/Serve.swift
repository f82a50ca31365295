import AWS
import ArgumentParser
import Deploy
import Foundation
import Hummingbird
import Logging
import Replication
import Server

extension Logger.Level: @retroactive ExpressibleByArgument {}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the ledger as a service.",
        discussion: """
            A JSON API, the dashboard, webhooks, live events and metrics. \
            With a configuration (--config, SHIPLOG_CONFIG or ./shiplog.yml) it also deploys and, when the file has a \
            `reconcile:` section, runs the reconciler inside. SIGTERM or Ctrl-C stops it gracefully: requests in flight \
            are answered, appends committed, running deployments finished. With --replicate it runs Litestream beside the \
            ledger, shipping its WAL to S3 within --sync-interval, holds a lease in the bucket so that no second service \
            writes the same replica, publishes every signed checkpoint beside the replica, and, when the ledger file does \
            not exist yet, restores it from the replica first.
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("The configuration file (env SHIPLOG_CONFIG, else ./shiplog.yml when it exists).", valueName: "path"))
    var config: String?

    @Option(help: "The address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "The port to listen on (0 picks a free one).")
    var port: Int = 8080

    @Option(name: .customLong("reconcile"), help: .choosing("Run the reconciler inside (auto: when the configuration has `reconcile:`)", ReconcileMode.self, valueName: "mode"))
    var reconcile: ReconcileMode = .auto

    @Option(name: .customLong("github-webhook-secret-file"), help: ArgumentHelp("The file holding the GitHub webhook secret (else env SHIPLOG_GITHUB_WEBHOOK_SECRET).", valueName: "path"))
    var webhookSecretFile: String?

    @Option(name: .customLong("signing-key"), help: ArgumentHelp("The key that signs checkpoints at /api/v1/checkpoint (from `shiplog keys create`).", valueName: "file"))
    var signingKey: String?

    @Option(name: .customLong("checkpoint-interval"), help: ArgumentHelp("With --signing-key: sign a checkpoint this soon after the log grows (e.g. 10s, 1m).", valueName: "duration"))
    var checkpointInterval = DurationArgument(argument: "10s")!

    @Option(help: ArgumentHelp(
        "Replicate the ledger with Litestream to this S3 URL (s3://BUCKET/PATH; ?endpoint=URL&region=NAME for S3-compatible stores; else the configuration's `replicate:`).",
        valueName: "url"))
    var replicate: String?

    @Option(name: .customLong("sync-interval"), help: ArgumentHelp("Replicating: how often Litestream ships the WAL (default 1s).", valueName: "duration"))
    var syncInterval: DurationArgument?

    @Option(help: ArgumentHelp("Replicating: how long the replica keeps what a point-in-time restore needs (default 24h).", valueName: "duration"))
    var retention: DurationArgument?

    @Option(name: .customLong("lease-duration"), help: ArgumentHelp("Replicating: how long the writer's lease lasts unrenewed, renewed every third of it (default 15s).", valueName: "duration"))
    var leaseDuration: DurationArgument?

    @Option(name: .customLong("lease-table"), help: ArgumentHelp(
        "Replicating: keep the writer's lease in this DynamoDB table (partition key `replica`, a string) rather than beside the replica; its endpoint from AWS_ENDPOINT_URL_DYNAMODB or the configuration's `replicate.lease_endpoint`.",
        valueName: "table"))
    var leaseTable: String?

    @Option(name: .customLong("log-level"), help: .choosing("The least severe log messages written to standard error", Logger.Level.self))
    var logLevel: Logger.Level = .info

    @Option(name: .customLong("idle-timeout"), help: ArgumentHelp(
        "Close a connection that sends no complete request for this long, e.g. 30s or 2m (else env SHIPLOG_IDLE_TIMEOUT, else 30s).",
        valueName: "duration"))
    var idleTimeout: String?

    @Option(name: .customLong("max-connections"), help: ArgumentHelp(
        "Serve at most this many connections at once (else env SHIPLOG_MAX_CONNECTIONS, else the descriptor limit less 48).",
        valueName: "count"))
    var maxConnections: Int?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535, not \(port)") }
        if let idleTimeout { _ = try Self.idleTimeout(idleTimeout, from: "--idle-timeout") }
        if let maxConnections, maxConnections < 1 { throw ValidationError("--max-connections must be at least 1, not \(maxConnections)") }
        if let replicate { _ = try ReplicaLocation(replicate) }
        for (name, value) in [("--sync-interval", syncInterval), ("--retention", retention), ("--lease-duration", leaseDuration)] {
            if let value, value.duration <= .zero { throw ValidationError("\(name) must be a positive duration such as 1s or 1m, not '\(value)'") }
        }
        if let leaseDuration, leaseDuration.duration < .seconds(3) { throw ValidationError("--lease-duration must be at least 3s, not '\(leaseDuration)'") }
        if let leaseTable { try DynamoDBLease.Table.check(name: leaseTable) }
    }

    /// `text` as a positive duration (`30s`, `2m`, `500ms`).
    private static func idleTimeout(_ text: String, from source: String) throws -> Duration {
        let duration = text.hasSuffix("ms") ? Int(text.dropLast(2)).map { Duration.milliseconds($0) } : ShiplogConfiguration.parseDuration(text)
        guard let duration, duration > .zero else {
            throw ValidationError("\(source) must be a positive duration such as 30s, 2m or 500ms, not '\(text)'")
        }
        return duration
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var configurationPath = config ?? environment["SHIPLOG_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        if configurationPath == nil, FileManager.default.fileExists(atPath: "shiplog.yml") { configurationPath = "shiplog.yml" }
        let configuration = try configurationPath.map { try ShiplogConfiguration.load(path: $0) }
        var secret = environment["SHIPLOG_GITHUB_WEBHOOK_SECRET"].flatMap { $0.isEmpty ? nil : $0 }
        if let webhookSecretFile {
            guard let data = FileManager.default.contents(atPath: webhookSecretFile) else {
                throw CommandFailure("cannot read the webhook secret file \(webhookSecretFile)")
            }
            secret = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard secret?.isEmpty == false else { throw CommandFailure("the webhook secret file \(webhookSecretFile) is empty") }
        }
        let key = try signingKey.map { try readText($0, what: "signing key") }
        guard checkpointInterval.duration > .zero else {
            throw ValidationError("--checkpoint-interval must be a duration such as 10s or 1m, not '\(checkpointInterval)'")
        }
        var settings = ServerSettings(
            host: host, port: port, databasePath: database.path(configuration: configuration), configurationPath: configurationPath,
            githubWebhookSecret: secret, signingKey: key)
        settings.reconciles = reconcile.reconciles
        settings.checkpointInterval = checkpointInterval.duration
        if let text = idleTimeout ?? environment["SHIPLOG_IDLE_TIMEOUT"].flatMap({ $0.isEmpty ? nil : $0 }) {
            settings.idleTimeout = try Self.idleTimeout(text, from: idleTimeout == nil ? "SHIPLOG_IDLE_TIMEOUT" : "--idle-timeout")
        }
        if let maxConnections {
            settings.maximumConnections = maxConnections
        } else if let text = environment["SHIPLOG_MAX_CONNECTIONS"], !text.isEmpty {
            guard let count = Int(text), count >= 1 else {
                throw CommandFailure("SHIPLOG_MAX_CONNECTIONS must be a whole number of at least 1, not '\(text)'")
            }
            settings.maximumConnections = count
        }
        let section = configuration?.replicate
        if let url = replicate ?? section?.replicaURL {
            var replication = ReplicationSettings(location: try ReplicaLocation(url), environment: environment)
            if let interval = syncInterval?.duration ?? section?.syncInterval { replication.syncInterval = interval }
            if let retention = retention?.duration ?? section?.retention { replication.retention = retention }
            if let lease = leaseDuration?.duration ?? section?.leaseDuration {
                guard lease >= .seconds(3) else { throw CommandFailure("replicate.lease_duration must be at least 3s") }
                replication.leaseDuration = lease
            }
            if let table = leaseTable ?? section?.leaseTable {
                let endpoint = try section?.leaseEndpoint ?? AWSClientConfiguration.endpoint(for: .dynamoDB, environment: environment)
                replication.leaseTable = try DynamoDBLease.Table(name: table, endpoint: endpoint, region: replication.location.region)
            }
            settings.replicator = try await Replicator.start(replication, databasePath: settings.databasePath, logger: Logger(label: "shiplog.replication"))
        }
        let app: any ApplicationProtocol
        do {
            app = try await buildApplication(settings)
        } catch {
            await settings.replicator?.shutdown()
            throw error
        }
        try await app.runService()
    }
}

extension Serve {
    /// Whether the service runs the reconciler.
    enum ReconcileMode: String, CaseIterable, ExpressibleByArgument {
        case on, off, auto

        /// Nil leaves it to the configuration: on when it has a `reconcile:` section.
        var reconciles: Bool? {
            switch self {
            case .on: true
            case .off: false
            case .auto: nil
            }
        }
    }
}
