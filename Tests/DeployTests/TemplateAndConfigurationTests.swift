import Deploy
import ECS
import Foundation
import Ledger
import Simulation
import TestSupport
import Testing

struct TemplateEditorTests {
    @Test func secretValuesAreRedactedInTheLedgerButReachTheTemplate() async throws {
        let harness = try await Harness()
        let editor = TemplateEditor(configuration: harness.configuration, store: harness.store, ecs: harness.world.ecs)
        let changed = try await editor.change(
            app: "api", environment: "staging",
            set: try TemplateEditor.assignments(["DJANGO_SECRET_KEY=s3cr3t-value", "API_URL=https://api.example.org/v1?a=b", "DB_PASSWORD=hunter2"]),
            unset: [], metadata: Harness.ana)

        #expect(changed.changes == ["set DJANGO_SECRET_KEY=<redacted>", "set API_URL=https://api.example.org/v1?a=b", "set DB_PASSWORD=<redacted>"])
        #expect(changed.revision == 2)
        let log = try harness.store.events()
        #expect(log.map(\.type) == ["TemplateChanged"])
        #expect(log.allSatisfy { !$0.data.contains("s3cr3t") && !$0.data.contains("hunter2") })
        #expect(try harness.store.audit().first?.detail?.contains("s3cr3t") == false)
        #expect(log.first?.decodedMetadata().actor == "ana-maintainer")
        let template = try await harness.world.ecs.describeTaskDefinition("staging-api-template")
        #expect(template.container(named: "django")?.environment.contains(EnvironmentVariable(name: "DJANGO_SECRET_KEY", value: "s3cr3t-value")) == true)

        let removed = try await editor.change(app: "api", environment: "staging", set: [], unset: ["API_URL"], metadata: Harness.ana)
        #expect(removed.changes == ["unset API_URL"])
        let after = try await harness.world.ecs.describeTaskDefinition("staging-api-template")
        #expect(after.container(named: "django")?.environment.contains { $0.name == "API_URL" } == false)
    }

    @Test func aDeployRequiringAVariableTheTemplateLacksIsRefusedAndOneItHasGoesThrough() async throws {
        let harness = try await Harness()
        let editor = TemplateEditor(configuration: harness.configuration, store: harness.store, ecs: harness.world.ecs)
        _ = try await editor.change(app: "api", environment: "staging", set: [EnvironmentVariable(name: "SEARCH_URL", value: "http://search")],
                                    unset: [], container: "django", metadata: Harness.ana)
        let before = try harness.store.events().count
        let error = await #expect(throws: DeployError.self) {
            try await harness.engine().deploy(app: "api", environment: "staging", tag: "3f9c2e1", requiredVariables: ["SEARCH_URL", "REDIS_URL"], metadata: Harness.cara)
        }
        #expect(error?.message == "template staging-api-template lacks REDIS_URL, which the code requires; add with `shiplog template set-env`")
        #expect(try harness.store.events().count == before)

        let result = try await harness.engine().deploy(app: "api", environment: "staging", tag: "3f9c2e1", requiredVariables: ["SEARCH_URL"], metadata: Harness.cara)
        #expect(result.outcome == .succeeded)
        let running = try await harness.world.ecs.describeTaskDefinition(try await harness.service("staging-api").taskDefinition)
        #expect(running.container(named: "django")?.environment.contains(EnvironmentVariable(name: "SEARCH_URL", value: "http://search")) == true)
    }

    @Test func badTemplateChangesAreRefusedAndWriteNothing() async throws {
        let harness = try await Harness()
        let editor = TemplateEditor(configuration: harness.configuration, store: harness.store, ecs: harness.world.ecs)
        #expect(throws: DeployError.self) { try TemplateEditor.assignments(["NOVALUE"]) }
        #expect(throws: DeployError.self) { try TemplateEditor.assignments(["1BAD=x"]) }
        let unset = await #expect(throws: DeployError.self) {
            try await editor.change(app: "api", environment: "staging", set: [], unset: ["NEVER_SET"], metadata: Harness.ana)
        }
        #expect(unset?.message == "NEVER_SET is not set in staging-api-template")
        #expect(try harness.store.events().isEmpty)
    }
}

struct ConfigurationTests {
    @Test func theExampleInitWritesParses() throws {
        let configuration = try ShiplogConfiguration.parse(ExampleConfiguration.text, file: "shiplog.yml")
        let api = try #require(configuration.apps["api"])
        #expect(api.containers == [
            .init(name: "django", image: "ghcr.io/wordpress/openverse-api"),
            .init(name: "nginx", image: "ghcr.io/wordpress/openverse-api_nginx"),
        ])
        #expect(api.registry == "ghcr.io")
        #expect(api.environments["staging"] == .init(name: "staging", cluster: "staging-default", service: "staging-api",
                                                      templateFamily: "staging-api-template", versionEndpoint: "https://api-staging.openverse.org/version"))
        #expect(api.environments["production"]?.family == "production-api")
        #expect(Set(configuration.apps.keys) == ["api", "frontend", "ingestion_server"])
        #expect(configuration.apps["ingestion_server"]?.environments["staging"]?.versionEndpoint == nil)
        #expect(configuration.stableTimeout == .seconds(900))
        #expect(configuration.drivers.ecs == .simulated)
        #expect(configuration.drivers.failingTags == ["broken-build"])
        #expect(configuration.maintainers == ["ana-maintainer", "ben-maintainer"])
        #expect(configuration.deployers == ["cara-contributor"])
        #expect(configuration.bots == ["openverse-bot": ["maintainers"]])
        #expect(configuration.database == "shiplog.sqlite")
    }

    @Test func aMissingKeyIsNamedWithTheFileAndItsPath() throws {
        let text = ExampleConfiguration.text.replacingOccurrences(of: "        cluster: staging-default\n        service: staging-api\n", with: "        service: staging-api\n")
        #expect(text != ExampleConfiguration.text)
        let error = #expect(throws: ConfigurationError.self) { try ShiplogConfiguration.parse(text, file: "shiplog.yml") }
        #expect(error?.message == "shiplog.yml: apps.api.environments.staging.cluster: missing")
    }

    @Test(arguments: [
        ("stable_timeout: 15m", "stable_timeout: soon", "shiplog.yml: stable_timeout: must be a duration such as 15m, 900s or 1h, not 'soon'"),
        ("  ecs: simulated          # simulated | aws", "  ecs: fargate", "shiplog.yml: drivers.ecs: must be simulated or aws, not 'fargate'"),
        ("        template_family: staging-api-template   # the deploy drops \"-template\"", "        template_familly: staging-api-template",
         "shiplog.yml: apps.api.environments.staging.template_familly: unknown key (known: cluster, gates, service, template_family, version_endpoint)"),
        ("maintainers: [ana-maintainer, ben-maintainer]", "maintainers: ana-maintainer", "shiplog.yml: maintainers: must be a list such as [a, b]"),
        ("      django: ghcr.io/wordpress/openverse-api\n", "      django: ghcr.io/wordpress/openverse-api:latest\n",
         "shiplog.yml: apps.api.containers.django: the image must not carry a tag (the deploy sets it): 'ghcr.io/wordpress/openverse-api:latest'"),
    ])
    func invalidValuesAreNamedWithTheFileAndKey(original: String, replacement: String, message: String) throws {
        let text = ExampleConfiguration.text.replacingOccurrences(of: original, with: replacement)
        #expect(text != ExampleConfiguration.text, "the example contains \(original)")
        let error = #expect(throws: ConfigurationError.self) { try ShiplogConfiguration.parse(text, file: "shiplog.yml") }
        #expect(error?.message == message)
    }

    @Test func textThatIsNotYAMLIsRefusedOnOneLine() throws {
        let error = #expect(throws: ConfigurationError.self) { try ShiplogConfiguration.parse("apps: [unclosed\n  - x: {", file: "conf/shiplog.yml") }
        #expect(error?.message.hasPrefix("conf/shiplog.yml: not valid YAML: ") == true)
        #expect(error?.message.contains("\n") == false)
    }

    @Test func environmentVariablesOverrideTheFile() throws {
        var configuration = try ShiplogConfiguration.parse(ExampleConfiguration.text, file: "shiplog.yml")
        try configuration.applyEnvironment(["SHIPLOG_STABLE_TIMEOUT": "5m", "SHIPLOG_ECS_DRIVER": "aws", "SHIPLOG_REGION": "eu-west-1",
                                            "SHIPLOG_ENDPOINT": "http://127.0.0.1:5000"])
        #expect(configuration.stableTimeout == .seconds(300))
        #expect(configuration.drivers.ecs == .aws)
        #expect(configuration.drivers.region == "eu-west-1")
        #expect(configuration.drivers.endpoint == URL(string: "http://127.0.0.1:5000"))
        let error = #expect(throws: ConfigurationError.self) { try configuration.applyEnvironment(["SHIPLOG_ECS_DRIVER": "k8s"]) }
        #expect(error?.message == "environment: SHIPLOG_ECS_DRIVER: must be simulated or aws, not 'k8s'")
    }
}

struct ReplicateSectionTests {
    static func configuration(_ section: String) throws -> ShiplogConfiguration {
        try ShiplogConfiguration.parse(ExampleConfiguration.text + "\nreplicate:\n" + section, file: "shiplog.yml")
    }

    @Test func everyKeyOfTheSectionIsRead() throws {
        let section = try #require(try Self.configuration("""
              url: s3://my-shiplog-bucket/production
              endpoint: http://127.0.0.1:9000
              region: eu-west-1
              sync_interval: 2s
              retention: 24h
              lease_duration: 30s
              lease_table: shiplog-leases
              lease_endpoint: http://127.0.0.1:8000
            """).replicate)
        #expect(section.replicaURL == "s3://my-shiplog-bucket/production?endpoint=http://127.0.0.1:9000&region=eu-west-1")
        #expect(section.syncInterval == .seconds(2))
        #expect(section.retention == .seconds(86_400))
        #expect(section.leaseDuration == .seconds(30))
        #expect(section.leaseTable == "shiplog-leases")
        #expect(section.leaseEndpoint == URL(string: "http://127.0.0.1:8000"))
    }

    @Test func aBadSectionIsOneLineNamingItsKey() {
        for (section, message) in [
            ("  endpoint: http://127.0.0.1:9000\n", "shiplog.yml: replicate.url: missing"),
            ("  url: s3://b/p\n  sync_interval: soon\n", "shiplog.yml: replicate.sync_interval: must be a duration such as 1s or 24h, not 'soon'"),
            ("  url: s3://b/p\n  lease_endpoint: http://127.0.0.1:8000\n", "shiplog.yml: replicate.lease_endpoint: is only used with replicate.lease_table"),
            ("  url: s3://b/p\n  lease_table: t-1\n  lease_endpoint: dynamo\n", "shiplog.yml: replicate.lease_endpoint: must be an http or https URL, not 'dynamo'"),
        ] {
            let error = #expect(throws: ConfigurationError.self) { try Self.configuration(section) }
            #expect(error?.message == message, "\(section)")
        }
    }
}
