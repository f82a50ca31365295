import Deploy
import Simulation
import Notifications
import Testing

@Suite struct NotifyConfigurationTests {
    private static let apps = """
        apps:
          api:
            registry: simulated
            containers: {django: ghcr.io/wordpress/openverse-api}
            environments:
              staging: {cluster: staging-default, service: staging-api, template_family: staging-api-template}
              production: {cluster: production-default, service: production-api, template_family: production-api-template}

        """

    private func parse(_ notify: String) throws -> ShiplogConfiguration {
        try ShiplogConfiguration.parse(Self.apps + notify, file: "shiplog.yml")
    }

    @Test func theSectionReadsEverySinkKind() throws {
        let configuration = try parse("""
            notify:
              dashboard_url: https://shiplog.example.org
              retry: {attempts: 3, backoff: 500ms, max_backoff: 1m}
              sinks:
                - {name: maintainers, type: slack, url: "https://hooks.slack.com/services/T0/B0/X", mentions: {Ana: U012AB3CD}}
                - {name: audit, type: webhook, url: "https://hooks.example.org/shiplog", secret_env: SHIPLOG_HOOK_SECRET, environments: [production], apps: [api]}
                - {name: broker, type: cdevents, url: "http://broker.example.org/default", events: [DeploymentStable], dashboard_url: "https://other.example.org"}
            """)
        let notify = configuration.notify
        #expect(notify.maxAttempts == 3)
        #expect(notify.backoff == .milliseconds(500))
        #expect(notify.maximumBackoff == .seconds(60))
        #expect(notify.sinks.map(\.name) == ["maintainers", "audit", "broker"])
        #expect(notify.sinks[0].kind == .slack)
        #expect(notify.sinks[0].mentions == ["ana": "U012AB3CD"])
        #expect(notify.sinks[0].events == ["DeploymentFailed", "RolledBackAutomatically", "DeploymentTimedOut", "DriftDetected", "AccessDenied"])
        #expect(notify.sinks[0].dashboardURL == "https://shiplog.example.org")
        #expect(notify.sinks[1].secretVariable == "SHIPLOG_HOOK_SECRET")
        #expect(notify.sinks[1].environments == ["production"])
        #expect(notify.sinks[1].apps == ["api"])
        #expect(notify.sinks[2].events == ["DeploymentStable"])
        #expect(notify.sinks[2].dashboardURL == "https://other.example.org")
    }

    @Test func aFileWithoutTheSectionNotifiesNobody() throws {
        #expect(try ShiplogConfiguration.parse(Self.apps, file: "shiplog.yml").notify.sinks.isEmpty)
    }

    @Test(arguments: [
        ("notify: {sinks: [{name: a, type: email, url: 'https://x.example.org'}]}", "shiplog.yml: notify.sinks[0].type: must be slack, webhook or cdevents, not 'email'"),
        ("notify: {sinks: [{name: a, type: slack, url: 'ftp://x.example.org'}]}", "shiplog.yml: notify.sinks[0].url: must be an http(s) URL, not 'ftp://x.example.org'"),
        ("notify: {sinks: [{type: slack, url: 'https://x.example.org'}]}", "shiplog.yml: notify.sinks[0].name: missing"),
        ("notify: {sinks: [{name: a, type: slack, url: 'https://x.example.org', events: [DeploymentFaild]}]}",
         "shiplog.yml: notify.sinks[0].events: 'DeploymentFaild': no event type has this name (did you mean DeploymentFailed?)"),
        ("notify: {sinks: [{name: a, type: webhook, url: 'https://x.example.org', events: [NotificationFailed]}]}",
         "shiplog.yml: notify.sinks[0].events: 'NotificationFailed': notification outcomes are never notified"),
        ("notify: {sinks: [{name: a, type: slack, url: 'https://x.example.org', environments: [qa]}]}",
         "shiplog.yml: notify.sinks[0].environments: no app has an environment 'qa' (known: production, staging)"),
        ("notify: {sinks: [{name: a, type: slack, url: 'https://x.example.org', secret_env: X}]}", "shiplog.yml: notify.sinks[0].secret_env: only webhook sinks are signed"),
        ("notify: {sinks: [{name: a, type: webhook, url: 'https://x.example.org', secret_env: 'my secret'}]}",
         "shiplog.yml: notify.sinks[0].secret_env: must name an environment variable (the secret itself never goes in the file), not 'my secret'"),
        ("notify: {sinks: [{name: a, type: slack, url: 'https://x.example.org', mentions: {ana: '@ana'}}]}",
         "shiplog.yml: notify.sinks[0].mentions.ana: must be a Slack member id such as U012AB3CD, not '@ana'"),
        ("notify: {sinks: [{name: a, type: slack, url: 'https://x.example.org'}, {name: a, type: webhook, url: 'https://y.example.org'}]}",
         "shiplog.yml: notify.sinks[1].name: 'a' names another sink too"),
        ("notify: {retry: {attempts: 0}, sinks: []}", "shiplog.yml: notify.retry.attempts: must be a number of attempts from 1 to 100, not '0'"),
        ("notify: {sinks: [{name: a, type: slack, url: 'https://x.example.org', colour: red}]}",
         "shiplog.yml: notify.sinks[0].colour: unknown key (known: apps, dashboard_url, environments, events, mentions, name, secret_env, type, url, url_env)"),
        ("notify: {sinks: [{name: a, type: slack, url: 'https://x.example.org', url_env: SLACK_URL}]}", "shiplog.yml: notify.sinks[0].url_env: give url or url_env, not both"),
        ("notify: {sinks: [{name: a, type: slack}]}", "shiplog.yml: notify.sinks[0]: needs url (or url_env, the variable that holds it)"),
        ("notify: {sinks: [{name: a, type: slack, url_env: 'https://hooks.slack.com/services/T0/B0/X'}]}",
         "shiplog.yml: notify.sinks[0].url_env: must name an environment variable (the secret itself never goes in the file), not 'https://hooks.slack.com/services/T0/B0/X'"),
    ])
    func badConfigurationIsOneLineNamingTheField(notify: String, message: String) {
        let error = #expect(throws: ConfigurationError.self) { try parse(notify) }
        #expect(error?.message == message)
    }

    @Test func aCDEventsSinkRefusesEventsCDEventsCannotSay() {
        let error = #expect(throws: ConfigurationError.self) {
            try parse("notify: {sinks: [{name: a, type: cdevents, url: 'https://x.example.org', events: [AccessDenied]}]}")
        }
        #expect(error?.message.hasPrefix("shiplog.yml: notify.sinks[0].events: 'AccessDenied': cdevents sinks carry only ") == true)
    }
}

@Suite struct ExampleNotifyConfigurationTests {
    @Test func theExampleConfigurationsCommentedNotifyParses() throws {
        let commented = ExampleConfiguration.text.split(separator: "\n").drop { !$0.hasPrefix("# notify:") }.prefix { $0 == "# notify:" || $0.hasPrefix("#  ") }
        let text = commented.map { $0.dropFirst(2) }.joined(separator: "\n")
        let configuration = try ShiplogConfiguration.parse(ExampleConfiguration.text + "\n" + text, file: "shiplog.yml")
        #expect(configuration.notify.sinks.map(\.name) == ["maintainers", "audit", "cdevents"])
        #expect(configuration.notify.sinks.map(\.kind) == [.slack, .webhook, .cdevents])
    }
}
