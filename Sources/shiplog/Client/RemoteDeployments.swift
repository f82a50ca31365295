import ArgumentParser
import Deploy

/// `deploy`, `rollback` and `promote` through the service: the same request the API documents,
/// followed live, concluded with the local command's summary and exit code.
enum RemoteDeployments {
    /// Refuses, by name, options that steer a local engine and mean nothing to the service's.
    static func refuseLocalOptions(_ global: GlobalOptions, timeout: DurationArgument? = nil, queue: QueueOptions) throws {
        try global.refuseThroughService()
        if timeout != nil { throw CommandFailure("--timeout is the service's (stable_timeout in its configuration) when working through --server") }
        if queue.waitTimeout != nil { throw CommandFailure("--wait-timeout is the service's when working through --server") }
    }

    static func run(_ client: ServiceClient, _ path: String, body: some Encodable, app: String, environment: String, tag: String?) async throws {
        let result: DeploymentResult
        do {
            result = try await DeploymentFollower(client: client).launch(path, body: body, app: app, environment: environment, tag: tag)
        } catch let error as DeployError {
            try Workflow.reportNotRun(error)
        }
        try Workflow.report(result)
    }

    /// `POST /api/v1/deployments`.
    struct DeployBody: Encodable {
        var app: String
        var environment: String
        var tag: String
        var trigger: String
        var requiredVariables: [String]?
        var onBehalfOf: String?
        var noWait: Bool?
        var overrideFreeze: String?
    }

    /// `POST /api/v1/rollbacks`.
    struct RollbackBody: Encodable {
        var app: String
        var environment: String
        var tag: String
        var onBehalfOf: String?
        var reuseRevision: Bool?
        var noWait: Bool?
    }

    /// `POST /api/v1/promotions`.
    struct PromotionBody: Encodable {
        var app: String
        var onBehalfOf: String?
        var noWait: Bool?
        var overrideFreeze: String?
    }
}
