import Access
import Deploy
import Ledger

/// What `GET /` shows: a grid of apps (rows) by environments (columns), each cell what runs
/// there, and the latest deployments below it. Stored properties only: Mustache reads them by
/// reflection.
struct DashboardPage: Sendable {
    /// One app in one environment.
    struct Cell: Sendable {
        let app: String
        let environment: String
        /// Why the cell is empty (`not configured`), or nil when it shows a state.
        let absent: String?
        let status: StatusBadge
        let tag: String?
        let revision: Int?
        let deployedBy: String?
        let deployedAt: String?
        let deployedAtText: String?
        /// The deployment running now, to link to.
        let inProgress: String?
        /// The latest deployment here when it did not succeed: what was tried, by whom.
        let lastAttempt: Attempt?
        let drift: String?
        /// The verifications a promotion here waits for, on the promotion's target.
        let gates: Gates?
    }

    /// Production's gates for the tag staging runs, or, when staging could not be read, their names alone.
    struct Gates: Sendable {
        /// The tag staging runs; nil when staging could not be read (``unread``). Named apart from
        /// the cell's `tag`, which Mustache would otherwise find for a nil one.
        let testedTag: String?
        let unread: Bool
        let source: String
        let passed: Bool
        let items: [Gate]

        init(_ gates: PromotionGates) {
            testedTag = gates.tag
            unread = false
            source = gates.source
            passed = gates.passed
            items = gates.gates.map { Gate(name: $0.name, state: $0.state.rawValue, url: $0.newest?.result.url) }
        }

        init(unread names: [String]) {
            testedTag = nil
            unread = true
            source = ShiplogConfiguration.promotionSource
            passed = false
            items = names.map { Gate(name: $0, state: "unknown", url: nil) }
        }
    }

    struct Gate: Sendable {
        let name: String
        /// passed, failed, missing or unknown.
        let state: String
        /// The newest result's run.
        let url: String?
    }

    /// A deployment a cell links to.
    struct Attempt: Sendable {
        let id: String
        let tag: String
        let actor: String
    }

    struct Row: Sendable {
        let app: String
        let cells: [Cell]
    }

    /// An environment in a freeze window: deploys, promotions and reconcile corrections wait.
    struct Freeze: Sendable {
        let environment: String
        let window: String
        let reason: String?
        let until: String
        let untilText: String?
    }

    let identity: APIIdentity
    /// The event types the page refreshes on (the script listens for each by name).
    let liveEvents: String
    let environments: [String]
    let columnCount: Int
    let rows: [Row]
    let freezes: [Freeze]
    let deployments: [DeploymentSummary]
    let hasDeployments: Bool

    /// - Parameters:
    ///   - states: what the ledger says runs where.
    ///   - lastAttempts: the latest deployment of each app and environment, keyed `environment/app`.
    ///   - configuration: adds the apps and environments nothing was deployed to yet; nil when the
    ///     service runs without one, then the grid holds only what the ledger knows.
    ///   - freezes: the environments in a freeze window now.
    ///   - gates: app → production's gates, for the apps that have any.
    init(
        identity: APIIdentity, states: [EnvironmentState], lastAttempts: [String: DeploymentRecord], deployments: [DeploymentRecord],
        configuration: ShiplogConfiguration?, freezes: [ActiveFreeze] = [], gates: [String: Gates] = [:]
    ) {
        var configured: Set<String> = []
        for (name, app) in configuration?.apps ?? [:] {
            for environment in app.environments.keys { configured.insert("\(environment)/\(name)") }
        }
        let byKey = Dictionary(states.map { ("\($0.environment)/\($0.app)", $0) }, uniquingKeysWith: { first, _ in first })
        let apps = Set(states.map(\.app)).union(configuration.map { Array($0.apps.keys) } ?? []).sorted()
        let environments = Self.ordered(Set(states.map(\.environment)).union(configuration.map { $0.apps.values.flatMap(\.environments.keys) } ?? []))
        self.identity = identity
        liveEvents = EventTypes.names.joined(separator: " ")
        self.environments = environments
        columnCount = environments.count + 1
        rows = apps.map { app in
            Row(app: app, cells: environments.map { environment in
                let key = "\(environment)/\(app)"
                let gates = environment == ShiplogConfiguration.promotionTarget ? gates[app] : nil
                guard let state = byKey[key] else {
                    return Cell(empty: app, environment, absent: configured.contains(key) ? nil : configuration == nil ? "nothing recorded" : "not configured",
                                gates: gates)
                }
                return Cell(state, lastAttempt: lastAttempts[key], gates: gates)
            })
        }
        self.freezes = freezes.map { freeze in
            Freeze(environment: freeze.environment, window: freeze.window, reason: freeze.reason, until: freeze.untilText,
                   untilText: DisplayText.time(freeze.untilText))
        }
        self.deployments = deployments.map(DeploymentSummary.init)
        hasDeployments = !deployments.isEmpty
    }

    /// Staging before production (the order a release goes), then any others by name.
    private static func ordered(_ environments: Set<String>) -> [String] {
        let pipeline = [ShiplogConfiguration.promotionSource, ShiplogConfiguration.promotionTarget].filter(environments.contains)
        return pipeline + environments.subtracting(pipeline).sorted()
    }
}

extension DashboardPage.Cell {
    init(_ state: EnvironmentState, lastAttempt: DeploymentRecord?, gates: DashboardPage.Gates? = nil) {
        app = state.app
        environment = state.environment
        absent = nil
        status = StatusBadge(outcome: state.deploymentInProgress == nil ? state.lastOutcome : .inProgress)
        tag = state.tag
        revision = state.revision
        deployedBy = state.deployedBy
        deployedAt = state.deployedAt
        deployedAtText = DisplayText.time(state.deployedAt)
        inProgress = state.deploymentInProgress
        self.lastAttempt = lastAttempt.flatMap { record in
            guard record.outcome != .succeeded, record.outcome != .inProgress else { return nil }
            return DashboardPage.Attempt(id: record.id, tag: record.tag, actor: record.actor ?? "unknown")
        }
        drift = state.drift
        self.gates = gates
    }

    /// A configured pair nothing was deployed to (`absent` nil), or a pair that is not configured.
    init(empty app: String, _ environment: String, absent: String?, gates: DashboardPage.Gates? = nil) {
        self.app = app
        self.environment = environment
        self.absent = absent
        status = StatusBadge(outcome: nil)
        tag = nil
        revision = nil
        deployedBy = nil
        deployedAt = nil
        deployedAtText = nil
        inProgress = nil
        lastAttempt = nil
        drift = nil
        self.gates = gates
    }
}
