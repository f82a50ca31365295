import Deploy
import Foundation
import Hummingbird
import Ledger

/// What runs for one app in one environment, as `APICoding.encoder` writes an ``EnvironmentState``
/// (keys sorted, absent values left out).
///
/// Written by hand: `GET /api/v1/environments` is the service's busiest read, and six states took
/// about 3× as long through the API's encoder (395–789 µs against 131–242 µs written here), 1.5×
/// even with snake_case `CodingKeys` and no key conversion (210–365 µs; `swiftc -O`
/// micro-benchmark, five runs, 2026-11-29, on shared cores while others built).
struct EnvironmentBody: ResponseGenerator {
    var state: EnvironmentState

    init(_ state: EnvironmentState) {
        self.state = state
    }

    var jsonText: String {
        var members: [String] = []
        func member(_ key: String, _ value: String?) {
            if let value { members.append("\"\(key)\":" + value) }
        }
        member("app", state.app.jsonQuoted)
        member("deployed_at", state.deployedAt?.jsonQuoted)
        member("deployed_by", state.deployedBy?.jsonQuoted)
        member("deployment_in_progress", state.deploymentInProgress?.jsonQuoted)
        member("drift", state.drift?.jsonQuoted)
        member("environment", state.environment.jsonQuoted)
        member("images", state.images?.jsonQuoted)
        member("last_healthy_arn", state.lastHealthyArn?.jsonQuoted)
        member("last_healthy_revision", state.lastHealthyRevision.map(String.init))
        member("last_outcome", state.lastOutcome?.rawValue.jsonQuoted)
        member("revision", state.revision.map(String.init))
        member("tag", state.tag?.jsonQuoted)
        member("task_definition_arn", state.taskDefinitionArn?.jsonQuoted)
        member("updated_position", String(state.updatedPosition))
        return "{" + members.joined(separator: ",") + "}"
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        .json(jsonText)
    }
}

/// `GET /api/v1/environments`: `{"environments": [...], "freezes": [...], "last_pass": {...}}`, each
/// state as ``EnvironmentBody`` writes it.
struct EnvironmentList: ResponseGenerator {
    var states: [EnvironmentState]
    /// Active freezes, through the API's encoder: few, and not worth writing by hand.
    var freezes: [EnvironmentsController.Freeze]
    /// The reconciler's last pass, as `shiplog status` shows it; left out before the first.
    var lastPass: LastPass?

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let freezes = String(decoding: try APICoding.encoder.encode(freezes), as: UTF8.self)
        let lastPass = try lastPass.map { ",\"last_pass\":" + String(decoding: try APICoding.encoder.encode($0), as: UTF8.self) } ?? ""
        return .json("{\"environments\":[" + states.map { EnvironmentBody($0).jsonText }.joined(separator: ",") + "],\"freezes\":" + freezes
            + lastPass + "}")
    }
}
