import Access
import Foundation
import Notifications

/// What shiplog deploys, where, who may do it, and which drivers it talks to: `shiplog.yml`,
/// with `SHIPLOG_*` environment variables and command-line flags layered over it.
///
/// Read it with ``load(path:environment:)``; the commented example `shiplog init` writes is the
/// reference for the file's shape.
public struct ShiplogConfiguration: Sendable, Equatable {
    /// One container of an app's task definition and the image repository it runs.
    public struct Container: Sendable, Equatable {
        public var name: String
        /// The image without a tag: `ghcr.io/wordpress/openverse-api`.
        public var image: String

        public init(name: String, image: String) {
            self.name = name
            self.image = image
        }
    }

    /// Where one app runs in one environment.
    public struct Environment: Sendable, Equatable {
        public var name: String
        public var cluster: String
        public var service: String
        /// The family the deploy renders from (`staging-api-template`).
        public var templateFamily: String
        /// Answers which release is live (`/version.json` or `/version`); nil when there is none.
        public var versionEndpoint: String?
        /// The verifications that must have passed in staging, for the tag staging runs, before a
        /// promotion deploys it here (`gates: [e2e]`); only the promotion's target has them.
        public var gates: [String] = []

        public init(name: String, cluster: String, service: String, templateFamily: String, versionEndpoint: String? = nil) {
            self.name = name
            self.cluster = cluster
            self.service = service
            self.templateFamily = templateFamily
            self.versionEndpoint = versionEndpoint
        }

        /// The family the deploy registers: the template family without `-template`.
        public var family: String {
            templateFamily.hasSuffix("-template") ? String(templateFamily.dropLast("-template".count)) : templateFamily
        }
    }

    public struct App: Sendable, Equatable {
        public var name: String
        /// `simulated`, an OCI registry (`ghcr.io`, `http://127.0.0.1:5000`), or an ECR host
        /// (`123456789012.dkr.ecr.us-east-1.amazonaws.com`).
        public var registry: String
        /// In the order the file lists them.
        public var containers: [Container]
        public var environments: [String: Environment]
        /// Fields the reconciler does not hold ECS to for this app: `desired_count` (autoscaled
        /// services), `rollout` (a rollout still in progress).
        public var driftIgnore: Set<String> = []

        public init(name: String, registry: String, containers: [Container], environments: [String: Environment]) {
            self.name = name
            self.registry = registry
            self.containers = containers
            self.environments = environments
        }

        /// Container name → `image:tag`.
        public func images(tag: String) -> [String: String] {
            Dictionary(uniqueKeysWithValues: containers.map { ($0.name, "\($0.image):\(tag)") })
        }
    }

    /// Which ECS and registries to talk to.
    public struct Drivers: Sendable, Equatable {
        public enum ECS: String, Sendable, Equatable, CaseIterable {
            case simulated, aws
        }

        public enum Registry: String, Sendable, Equatable, CaseIterable {
            /// Every look-up goes to the simulated registry.
            case simulated
            /// Each app's own registry: the OCI distribution API, or ECR's API for an ECR host.
            case live
        }

        public var ecs: ECS
        public var registry: Registry
        public var region: String
        /// moto, LocalStack or a VPC endpoint instead of AWS's own.
        public var endpoint: URL?
        /// Tags the simulated registry holds for every image.
        public var simulatedTags: [String]
        /// Deployments of these tags fail to start on the simulated ECS (its circuit breaker rolls them back).
        public var failingTags: [String]

        public init(
            ecs: ECS = .simulated, registry: Registry = .simulated, region: String = "us-east-1", endpoint: URL? = nil,
            simulatedTags: [String] = [], failingTags: [String] = []
        ) {
            self.ecs = ecs
            self.registry = registry
            self.region = region
            self.endpoint = endpoint
            self.simulatedTags = simulatedTags
            self.failingTags = failingTags
        }
    }

    /// The file it was read from, for messages.
    public var file: String
    /// The ledger; `--db` and `SHIPLOG_DB` take precedence.
    public var database: String?
    public var stableTimeout: Duration
    public var drivers: Drivers
    /// GitHub logins allowed to roll back (and to deploy).
    public var maintainers: [String]
    /// The GitHub team whose active members are the maintainers (`maintainers: {github_team: ORG/TEAM}`),
    /// instead of the list: one source of truth, so the list is then empty.
    public var maintainersTeam: GitHubTeam?
    /// GitHub logins allowed to deploy.
    public var deployers: [String]
    /// Bot login → whom it may act for: role names (`maintainers`, `deployers`) or logins.
    public var bots: [String: [String]]
    public var apps: [String: App]
    /// How often `reconcile --watch` (and the service) checks ECS.
    public var reconcileInterval: Duration = .seconds(60)
    /// Whether the file has a `reconcile:` section: then `shiplog serve` runs the reconciler inside.
    public var reconcileConfigured = false
    /// The environments whose drift the background reconciler corrects; it reports the others.
    public var reconcileCorrects: Set<String> = []
    /// The `replicate:` section: where `shiplog serve` replicates the ledger when no `--replicate` is given.
    public var replicate: ReplicateSection?

    /// Environment → the windows in which it takes no deploys, promotions or reconcile corrections
    /// (`freeze:`). Per environment rather than per app: a freeze is the organisation's decision
    /// about an environment, and one app left out of a per-app list would be a hole in it.
    public var freezes: [String: [FreezeWindow]] = [:]

    /// Where the ledger's events are notified (`notify:`); no sinks when the file has no section.
    public var notify = NotificationSettings()
    /// GitHub workflows whose completed runs are recorded as verification results
    /// (`verification.github_workflows`).
    public var verificationWorkflows: [VerificationWorkflow] = []

    /// The least role an API token needs for each action, where the file overrides the
    /// service's defaults (`api: {roles: {rollback: deployer}}`).
    public var apiRoles: [String: String] = [:]
    /// GitHub Actions ID tokens accepted as credentials (`oidc:`); nil when none are.
    public var oidc: GitHubOIDC?

    /// The actions `api.roles` may name, and the roles it may give them.
    public static let apiActions: Set<String> = Set(Permissions.Action.allCases.map(\.rawValue))
    public static let apiRoleNames: Set<String> = ["viewer", "deployer", "maintainer"]

    /// The fields `drift_ignore` may name.
    public static let driftFields: Set<String> = ["desired_count", "rollout"]

    public init(
        file: String = "shiplog.yml", database: String? = nil, stableTimeout: Duration = .seconds(15 * 60),
        drivers: Drivers = Drivers(), maintainers: [String] = [], deployers: [String] = [],
        bots: [String: [String]] = [:], apps: [String: App] = [:]
    ) {
        self.file = file
        self.database = database
        self.stableTimeout = stableTimeout
        self.drivers = drivers
        self.maintainers = maintainers
        self.deployers = deployers
        self.bots = bots
        self.apps = apps
    }

    /// The environment promotions deploy from, and the one they deploy to.
    public static let promotionSource = "staging"
    public static let promotionTarget = "production"

    /// Reads `path`, then applies the `SHIPLOG_*` variables of `environment` over it.
    ///
    /// - Throws: ``ConfigurationError`` naming the file, the key and what is wrong.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ShiplogConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError.unreadable(file: path)
        }
        var configuration = try ConfigurationParser.parse(String(decoding: data, as: UTF8.self), file: path)
        try configuration.applyEnvironment(environment)
        return configuration
    }

    /// Parses the text of a configuration file; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws -> ShiplogConfiguration {
        try ConfigurationParser.parse(text, file: file)
    }

    /// `SHIPLOG_STABLE_TIMEOUT`, `SHIPLOG_ECS_DRIVER`, `SHIPLOG_REGISTRY_DRIVER`, `SHIPLOG_REGION`
    /// and `SHIPLOG_ENDPOINT` override the file.
    public mutating func applyEnvironment(_ environment: [String: String]) throws {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let text = value("SHIPLOG_STABLE_TIMEOUT") {
            guard let timeout = ConfigurationParser.duration(text) else {
                throw ConfigurationError.invalid(file: "environment", key: "SHIPLOG_STABLE_TIMEOUT", "must be a duration such as 15m, 900s or 1h, not '\(text)'")
            }
            stableTimeout = timeout
        }
        if let text = value("SHIPLOG_ECS_DRIVER") {
            guard let driver = Drivers.ECS(rawValue: text) else {
                throw ConfigurationError.invalid(file: "environment", key: "SHIPLOG_ECS_DRIVER", "must be simulated or aws, not '\(text)'")
            }
            drivers.ecs = driver
        }
        if let text = value("SHIPLOG_REGISTRY_DRIVER") {
            guard let driver = Drivers.Registry(rawValue: text) else {
                throw ConfigurationError.invalid(file: "environment", key: "SHIPLOG_REGISTRY_DRIVER", "must be simulated or live, not '\(text)'")
            }
            drivers.registry = driver
        }
        if let region = value("SHIPLOG_REGION") { drivers.region = region }
        if let text = value("SHIPLOG_ENDPOINT") {
            guard let url = URL(string: text), url.host != nil else {
                throw ConfigurationError.invalid(file: "environment", key: "SHIPLOG_ENDPOINT", "must be a URL, not '\(text)'")
            }
            drivers.endpoint = url
        }
    }

    /// `15m`, `900s`, `900`, `1h30m`; nil when not a duration.
    public static func parseDuration(_ text: String) -> Duration? {
        ConfigurationParser.duration(text)
    }

    /// The app and environment a command names.
    /// - Throws: ``DeployError`` naming the known apps or environments.
    public func target(app: String, environment: String) throws -> (App, Environment) {
        guard let found = apps[app] else { throw DeployError.unknownApp(app, known: apps.keys.sorted()) }
        guard let place = found.environments[environment] else {
            throw DeployError.unknownEnvironment(environment, app: app, known: found.environments.keys.sorted())
        }
        return (found, place)
    }
}
