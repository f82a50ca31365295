import ArgumentParser
import Deploy
import ECS
import Ledger
import Simulation

struct Template: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Change an app's template task definition.",
        discussion: "Every change is recorded, secret values redacted.",
        subcommands: [SetEnv.self, UnsetEnv.self]
    )
}

extension Template {
    struct SetEnv: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-env",
            abstract: "Set environment variables in the template.",
            discussion: "A new template revision, which the next deploy uses."
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var acting: ActingOptions

        @OptionGroup var target: TemplateTarget

        @Argument(help: ArgumentHelp("NAME=VALUE pairs.", valueName: "NAME=VALUE"))
        var assignments: [String]

        func run() async throws {
            let variables = try TemplateEditor.assignments(assignments)
            try await change(global, acting, target, set: variables, unset: [])
        }
    }

    struct UnsetEnv: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "unset-env",
            abstract: "Remove environment variables from the template.",
            discussion: "A new template revision, which the next deploy uses."
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var acting: ActingOptions

        @OptionGroup var target: TemplateTarget

        @Argument(help: ArgumentHelp("Variable names.", valueName: "NAME"))
        var names: [String]

        func run() async throws {
            for name in names { try TemplateEditor.validate(name) }
            try await change(global, acting, target, set: [], unset: names)
        }
    }

    static func change(
        _ global: GlobalOptions, _ acting: ActingOptions, _ target: TemplateTarget, set: [EnvironmentVariable], unset: [String]
    ) async throws {
        let workflow = try await Workflow.open(global, acting: acting, app: target.app, environment: target.environment)
        let editor = TemplateEditor(configuration: workflow.configuration, store: workflow.store, ecs: workflow.drivers.drivers.ecs)
        let changed = try await editor.change(
            app: target.app, environment: target.environment, set: set, unset: unset, container: target.container, metadata: workflow.metadata)
        try workflow.finish()
        emit("\(changed.family):\(changed.revision.map(String.init) ?? "?") registered: \(changed.changes.joined(separator: "; "))")
    }
}

/// Which template a `template` subcommand changes.
struct TemplateTarget: ParsableArguments {
    @Argument(help: "The app.")
    var app: String

    @Option(name: [.customLong("environment"), .customLong("env")], help: "The environment.")
    var environment: String

    @Option(help: "Only this container (else every container of the app).")
    var container: String?
}
