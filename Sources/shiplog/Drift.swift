import ArgumentParser
import Deploy
import Ledger

struct Drift: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare what ECS runs with what the ledger says.",
        discussion: """
            One line per service with what differs. Drift is recorded in the ledger once when it appears \
            (DriftDetected) and once when it goes away (DriftResolved). Exit 0 when nothing drifts, \
            2 when something does, 1 on error.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var acting: ActingOptions
    @OptionGroup var service: ServiceOptions

    @Option(help: "Only this app.")
    var app: String?

    @Option(name: [.customLong("environment"), .customLong("env")], help: "Only this environment.")
    var environment: String?

    @Option(help: .choosing("A table for people, JSON for programs", Format.self))
    var format: Format = .table

    func run() async throws {
        if let client = try service.client(global.database) { return try await run(through: client) }
        let workflow = try await Workflow.open(global, acting: acting)
        let reconciler = workflow.reconciler
        let pass = try await reconciler.pass(app: app, environment: environment, mode: .report, metadata: workflow.metadata)
        try workflow.finish()
        emit(try DriftListing.render(pass.drift.services, format.output))
        if !pass.drift.drifted.isEmpty { throw ExitCode(2) }
    }
}

extension Drift {
    /// The same comparison made by the service, against the ECS of its configuration; it records
    /// nothing (its reconciler records drift as it passes).
    private func run(through client: ServiceClient) async throws {
        try global.refuseThroughService()
        if acting.onBehalfOf != nil { throw CommandFailure("--on-behalf-of belongs to a local ledger: drift through --server records nothing, so nobody acts") }
        struct Report: Decodable {
            var services: [ServiceDrift]
            var drifting: Int
        }
        let report: Report = try await client.get("/api/v1/drift", query: [("app", app), ("environment", environment)])
        emit(try DriftListing.render(report.services, format.output))
        if report.drifting > 0 { throw ExitCode(2) }
    }

    /// A table for people, JSON for programs; drift has no CSV form.
    enum Format: String, CaseIterable, ExpressibleByArgument {
        case table, json

        var output: OutputFormat {
            switch self {
            case .table: .table
            case .json: .json
            }
        }
    }
}

/// The drift of each service, for people or programs.
enum DriftListing {
    static func render(_ services: [ServiceDrift], _ format: OutputFormat) throws -> String {
        try Listing(columns: ["app", "env", "service", "status", "desired", "actual", "differences"], rows: services) { service in
            // A table shows the task definitions; the images that differ are among the differences.
            let brief = { (text: String?) in format == .table ? text?.split(separator: " ").first.map(String.init) : text }
            return [service.app, service.environment, "\(service.cluster)/\(service.service)", service.status.rawValue, brief(service.desired),
                    brief(service.actual), service.differences.isEmpty ? nil : service.differences.joined(separator: "; ")]
        }.render(format)
    }
}
