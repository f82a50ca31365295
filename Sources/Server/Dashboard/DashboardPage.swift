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
        /// The "Deploy to production" button, on staging's cell (see ``DashboardPage/promotable(staging:production:mayPromote:gatesPassed:)``).
        let promote: Bool
        /// The rollback form, for those who may roll back.
        let rollback: Bool
        /// The verifications a promotion here waits for, on the promotion's target.
        let gates: Gates?
    }

    /// What the viewer may start from the page, and the token its forms carry.
    struct Actions: Sendable {
        /// The session's ``FormProtection`` token.
        var formToken: String?
        var mayPromote = false
        var mayRollBack = false
        /// The apps whose promotion gates have passed.
        var gatesPassed: Set<String> = []
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
    let formToken: String?
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
    ///   - actions: what the viewer may start; by default nothing.
    init(
        identity: APIIdentity, states: [EnvironmentState], lastAttempts: [String: DeploymentRecord], deployments: [DeploymentRecord],
        configuration: ShiplogConfiguration?, freezes: [ActiveFreeze] = [], gates: [String: Gates] = [:], actions: Actions = Actions()
    ) {
        var configured: Set<String> = []
        for (name, app) in configuration?.apps ?? [:] {
            for environment in app.environments.keys { configured.insert("\(environment)/\(name)") }
        }
        let byKey = Dictionary(states.map { ("\($0.environment)/\($0.app)", $0) }, uniquingKeysWith: { first, _ in first })
        let apps = Set(states.map(\.app)).union(configuration.map { Array($0.apps.keys) } ?? []).sorted()
        let environments = Self.ordered(Set(states.map(\.environment)).union(configuration.map { $0.apps.values.flatMap(\.environments.keys) } ?? []))
        self.identity = identity
        formToken = actions.formToken
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
                let promote = environment == ShiplogConfiguration.promotionSource && Self.promotable(
                    staging: state, production: byKey["\(ShiplogConfiguration.promotionTarget)/\(app)"],
                    mayPromote: actions.mayPromote && configured.contains(key) && configured.contains("\(ShiplogConfiguration.promotionTarget)/\(app)"),
                    gatesPassed: actions.gatesPassed.contains(app))
                return Cell(state, lastAttempt: lastAttempts[key], promote: promote, rollback: actions.mayRollBack && configured.contains(key), gates: gates)
            })
        }
        self.freezes = freezes.map { freeze in
            Freeze(environment: freeze.environment, window: freeze.window, reason: freeze.reason, until: freeze.untilText,
                   untilText: DisplayText.time(freeze.untilText))
        }
        self.deployments = deployments.map(DeploymentSummary.init)
        hasDeployments = !deployments.isEmpty
    }

    /// Whether staging's cell offers to deploy to production what it runs: the viewer may promote,
    /// staging runs a tag production does not, neither has a deployment in flight, and the app's
    /// promotion gates have passed. The one place the button's visibility is decided; whether a
    /// promotion is allowed is still the engine's to say when it is asked.
    static func promotable(staging: EnvironmentState, production: EnvironmentState?, mayPromote: Bool, gatesPassed: Bool) -> Bool {
        guard mayPromote, gatesPassed, let tag = staging.tag, staging.deploymentInProgress == nil else { return false }
        return production?.deploymentInProgress == nil && production?.tag != tag
    }

    /// Staging before production (the order a release goes), then any others by name.
    private static func ordered(_ environments: Set<String>) -> [String] {
        let pipeline = [ShiplogConfiguration.promotionSource, ShiplogConfiguration.promotionTarget].filter(environments.contains)
        return pipeline + environments.subtracting(pipeline).sorted()
    }
}

extension DashboardPage.Cell {
    init(_ state: EnvironmentState, lastAttempt: DeploymentRecord?, promote: Bool, rollback: Bool, gates: DashboardPage.Gates? = nil) {
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
        self.promote = promote
        self.rollback = rollback
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
        promote = false
        rollback = false
        self.gates = gates
    }
}
