import Access
import AWS
import Clocks
import Deploy
import Foundation
import Hummingbird
import Ledger
import Simulation

/// Drift between the ledger and ECS, a reconcile pass on demand, and the log's own check.
struct ReconcileController {
    let backend: Backend

    var endpoints: RouteCollection<ShiplogRequestContext> {
        RouteCollection(context: ShiplogRequestContext.self)
            .get("drift", use: drift)
            .post("reconcile", use: reconcile)
            .get("verify", use: verify)
    }

    struct ReconcileRequest: StrictBody {
        var app: String?
        var environment: String?
        var dryRun: Bool?
        var onBehalfOf: String?
        /// A maintainer's reason to correct drift inside a freeze window.
        var overrideFreeze: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case app, environment
            case dryRun = "dry_run"
            case onBehalfOf = "on_behalf_of"
            case overrideFreeze = "override_freeze"
        }
    }

    struct DriftReport: ResponseEncodable {
        var checkedAt: String
        var services: [ServiceDrift]
        var drifting: Int
        var lastPass: LastPass?
    }

    /// What a pass found, did (or, dry, would do), and what drifts still.
    struct ReconcileResult: ResponseEncodable {
        var drift: DriftPass
        var corrections: [Reconciler.Pass.Correction]
        var plan: [String]
        var stillDrifting: Int
    }

    struct VerifyReport: ResponseEncodable {
        var ok: Bool
        var events: Int64
        var headHash: String?
        var firstBadPosition: Int64?
        var reason: String?
    }

    /// Asks ECS now (as `shiplog drift` does), recording nothing.
    @Sendable func drift(_ request: Request, context: ShiplogRequestContext) async throws -> DriftReport {
        try await backend.authorize(.read, context)
        let query = try QueryReader(request, allowed: ["app", "environment"])
        let app = try query.name("app"), environment = try query.name("environment")
        let workflow = try backend.requireWorkflow()
        let pass = try await workflow.reconciler.detector.check(store: backend.store, app: app, environment: environment, now: workflow.engine.clock.now)
        let lastPass = try await backend.store.reading { try $0.serviceState(Reconciler.lastPassKey) }
            .flatMap { try? JSONDecoder().decode(LastPass.self, from: Data($0.utf8)) }
        return DriftReport(checkedAt: pass.checkedAt, services: pass.services, drifting: pass.drifted.count, lastPass: lastPass)
    }

    /// One pass, correcting every drifting service (or, with `dry_run`, saying what it would do).
    @Sendable func reconcile(_ request: Request, context: ShiplogRequestContext) async throws -> ReconcileResult {
        let body = try await request.decode(as: ReconcileRequest.self, context: context)
        if let app = body.app { try Names.check(app, what: "app") }
        if let environment = body.environment { try Names.check(environment, what: "environment") }
        if let person = body.onBehalfOf { try Names.check(person, what: "on_behalf_of") }
        if let reason = body.overrideFreeze { try FreezeOverride.check(reason) }
        let workflow = try backend.requireWorkflow()
        if let app = body.app { _ = try workflow.configuration.target(app: app, environment: body.environment ?? ShiplogConfiguration.promotionSource) }
        let identity = try await backend.authorize(.reconcile, context, app: body.app, environment: body.environment)
        let metadata = try await backend.metadata(identity, onBehalfOf: body.onBehalfOf, context, action: .reconcile, app: body.app, environment: body.environment)
        try await backend.authorizeFreezeOverride(body.overrideFreeze, identity, onBehalfOf: body.onBehalfOf, context, app: body.app,
                                                  environment: body.environment)
        let store = backend.store, holder = "api-\(context.id)"
        guard try await store.acquireLease(ReconcileLoop.leaseName, holder: holder, now: Date(), duration: 15 * 60) else {
            let current = try await store.reading { try $0.leaseHolder(ReconcileLoop.leaseName, now: Date()) }
            throw HTTPError(.conflict, message: "another reconciler (\(current?.holder ?? "unknown")) holds the lease until \(current?.expiresAt ?? "soon")")
        }
        let pass: Reconciler.Pass
        do {
            pass = try await workflow.reconciler.pass(app: body.app, environment: body.environment,
                                                      mode: body.dryRun == true ? .dryRun : .correct(nil),
                                                      overrideFreeze: body.overrideFreeze, metadata: metadata)
        } catch {
            try? await store.releaseLease(ReconcileLoop.leaseName, holder: holder)
            throw error
        }
        try await store.releaseLease(ReconcileLoop.leaseName, holder: holder)
        try? workflow.drivers.world?.save()
        return ReconcileResult(drift: pass.drift, corrections: pass.corrections, plan: pass.plan, stillDrifting: pass.stillDrifting.count)
    }

    @Sendable func verify(_ request: Request, context: ShiplogRequestContext) async throws -> VerifyReport {
        try await backend.authorize(.read, context)
        let quick = try QueryReader(request, allowed: ["quick"]).boolean("quick") ?? false
        let verification = try await backend.store.reading { try $0.verify(quick: quick) }
        return VerifyReport(
            ok: verification.isIntact, events: verification.count, headHash: verification.headHash.hexString,
            firstBadPosition: verification.failure?.position, reason: verification.failure?.reason)
    }
}
