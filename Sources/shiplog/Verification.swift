import ArgumentParser
import Deploy
import Foundation
import Ledger

extension VerificationOutcome: ExpressibleByArgument {}

struct VerificationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verification",
        abstract: "Record verification results (end-to-end suites) and show the gates promotions wait for.",
        subcommands: [Record.self, List.self, Gates.self]
    )
}

extension VerificationCommand {
    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a verification suite's outcome for an app, environment and tag.",
            discussion: """
                For a CI step after the suite ran; deployers and up. Inside GitHub Actions the run's page, id and commit \
                are taken from GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID and GITHUB_SHA unless given. The newest \
                result per name and tag counts: a failure recorded after a pass takes the pass back.
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var acting: ActingOptions

        @Option(help: "The app.")
        var app: String

        @Option(name: [.customLong("environment"), .customLong("env")], help: "The environment the suite ran against.")
        var environment: String

        @Option(help: "The image tag the suite verified.")
        var tag: String

        @Option(help: "The suite's name, as gates name it (e2e).")
        var name: String

        @Option(help: .choosing("How the suite ended", VerificationOutcome.self))
        var outcome: VerificationOutcome

        @Option(help: ArgumentHelp("The run's page (else the GitHub Actions run).", valueName: "url"))
        var url: String?

        @Option(help: ArgumentHelp("The CI run's id (else GITHUB_RUN_ID).", valueName: "id"))
        var runId: String?

        @Option(help: ArgumentHelp("The commit the suite ran at (else GITHUB_SHA).", valueName: "sha"))
        var commit: String?

        func run() async throws {
            let configuration = try ShiplogConfiguration.load(path: global.configPath)
            var metadata = global.metadata
            metadata.onBehalfOf = acting.onBehalfOf
            let result = VerificationRecorded(
                app: app, environment: environment, tag: tag, name: name, outcome: outcome, url: url ?? metadata.source,
                runId: runId ?? ProcessInfo.processInfo.environment["GITHUB_RUN_ID"].flatMap { $0.isEmpty ? nil : $0 },
                commit: commit ?? metadata.commit)
            let store = try EventStore(path: global.databasePath(for: configuration), access: .readWrite(create: false))
            defer { store.close() }
            let verifications = Verifications(configuration: configuration, store: store)
            let event = try await verifications.record(result, metadata: metadata)
            emit("recorded \(name) \(outcome.rawValue) for \(app) \(environment) \(tag) (position \(event.position))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the verification results recorded for an app in an environment, oldest first.")

        @OptionGroup var global: DatabaseOptions
        @OptionGroup var service: ServiceOptions

        @Option(help: "The app.")
        var app: String

        @Option(name: [.customLong("environment"), .customLong("env")], help: "The environment.")
        var environment: String = ShiplogConfiguration.promotionSource

        @Option(help: "Only results for this tag.")
        var tag: String?

        @Option(help: .choosing("A table for people, JSON or CSV for programs", OutputFormat.self))
        var format: OutputFormat = .table

        func validate() throws {
            let names: [(String?, String)] = [(app, "--app"), (environment, "--environment"), (tag, "--tag")]
            for (value, what) in names {
                if let value, !NameRule.isValid(value) { throw ValidationError(NameRule.problem(value, what: what)) }
            }
        }

        func run() async throws {
            let rows: [Row]
            if let client = try service.client(global) {
                struct Listed: Decodable { var verifications: [Row] }
                let listed: Listed = try await client.get("/api/v1/verifications", query: [("app", app), ("environment", environment), ("tag", tag)])
                rows = listed.verifications
            } else {
                rows = try Verifications.results(in: try global.openStore(.readOnly), app: app, environment: environment, tag: tag).map(Row.init)
            }
            let listing = Listing(columns: ["name", "tag", "outcome", "recorded by", "recorded at", "url"], rows: rows) { row in
                [row.name, row.tag, row.outcome, row.recordedBy, row.recordedAt, row.url]
            }
            emit(try listing.render(format))
        }

        /// One result as both paths print it (the service's listing carries these fields among others).
        struct Row: Codable {
            var name: String
            var tag: String
            var outcome: String
            var recordedBy: String?
            var recordedAt: String
            var url: String?
            var position: Int64

            init(_ verification: RecordedVerification) {
                name = verification.result.name
                tag = verification.result.tag
                outcome = verification.result.outcome.rawValue
                recordedBy = verification.actor
                recordedAt = verification.recordedAt
                url = verification.result.url
                position = verification.position
            }
        }
    }

    struct Gates: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show whether production's gates have passed for the tag staging runs.",
            discussion: "One line per gate: passed, failed or missing, with the newest result's page. Exits 0 when all passed (or there are none), 1 when a promotion would be refused."
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var service: ServiceOptions

        @Argument(help: "The app.")
        var app: String

        func run() async throws {
            let gates: PromotionGates.Report
            if let client = try service.client(global.database) {
                try global.refuseThroughService()
                gates = try await client.get("/api/v1/verifications/gates", query: [("app", app)])
            } else {
                let workflow = try await Workflow.open(global, acting: try ActingOptions.parse([]), app: app, environment: ShiplogConfiguration.promotionTarget)
                gates = PromotionGates.Report(try await workflow.engine.promotionGates(app: app))
                try workflow.finish()
            }
            for gate in gates.gates {
                emit("\(gate.name)  \(gate.state)\(gate.url.map { " \($0)" } ?? "")")
            }
            guard gates.passed else {
                complain(gates.summary)
                throw ExitCode.failure
            }
            emit(gates.summary)
        }
    }
}
