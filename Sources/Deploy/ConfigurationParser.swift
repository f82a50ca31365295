import AWS
import Access
import Foundation
import Ledger
import Yams

/// Turns the text of `shiplog.yml` into a ``ShiplogConfiguration``, refusing anything it does not
/// understand (an unknown key is usually a typo that would otherwise be silently ignored).
enum ConfigurationParser {
    static func parse(_ text: String, file: String) throws -> ShiplogConfiguration {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ConfigurationError.invalid(file: file, key: "apps", "missing (the file is empty)")
            }
            root = node
        } catch let error as ConfigurationError {
            throw error
        } catch {
            let detail = String(describing: error).split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            throw ConfigurationError.notYAML(file: file, detail.filter { !$0.isEmpty }.joined(separator: " "))
        }
        let reader = Reader(file: file)
        let top = try reader.mapping(root, "", allowed: ["database", "stable_timeout", "drivers", "maintainers", "deployers", "bots", "apps", "reconcile", "api", "freeze", "notify", "verification", "oidc", "replicate"])
        var configuration = ShiplogConfiguration(file: file)
        configuration.database = try top["database"].map { try reader.string($0, "database") }
        if let node = top["stable_timeout"] {
            let text = try reader.string(node, "stable_timeout")
            guard let timeout = duration(text), timeout > .zero else {
                throw ConfigurationError.invalid(file: file, key: "stable_timeout", "must be a duration such as 15m, 900s or 1h, not '\(text)'")
            }
            configuration.stableTimeout = timeout
        }
        if let node = top["drivers"] { configuration.drivers = try drivers(node, reader) }
        if let node = top["maintainers"] {
            if case .mapping = node {
                configuration.maintainersTeam = try maintainersTeam(node, reader)
            } else {
                configuration.maintainers = try reader.strings(node, "maintainers")
            }
        }
        configuration.deployers = try top["deployers"].map { try reader.strings($0, "deployers") } ?? []
        if let node = top["bots"] {
            for (name, value) in try reader.mapping(node, "bots", allowed: nil) {
                let bot = try reader.mapping(value, "bots.\(name)", allowed: ["acts_for"])
                guard let actsFor = bot["acts_for"] else { throw ConfigurationError.invalid(file: file, key: "bots.\(name).acts_for", "missing") }
                configuration.bots[name] = try reader.stringOrStrings(actsFor, "bots.\(name).acts_for")
            }
        }
        guard let appsNode = top["apps"] else { throw ConfigurationError.invalid(file: file, key: "apps", "missing") }
        for (name, value) in try reader.mapping(appsNode, "apps", allowed: nil) {
            configuration.apps[name] = try app(name, value, reader)
        }
        if configuration.apps.isEmpty { throw ConfigurationError.invalid(file: file, key: "apps", "must name at least one app") }
        if let node = top["reconcile"] {
            configuration.reconcileConfigured = true
            let fields = try reader.mapping(node, "reconcile", allowed: ["interval", "correct"])
            if let value = fields["interval"] {
                let text = try reader.string(value, "reconcile.interval")
                guard let interval = duration(text), interval > .zero else {
                    throw ConfigurationError.invalid(file: file, key: "reconcile.interval", "must be a duration such as 60s or 5m, not '\(text)'")
                }
                configuration.reconcileInterval = interval
            }
            let corrects = try fields["correct"].map { try reader.strings($0, "reconcile.correct") } ?? []
            let known = Set(configuration.apps.values.flatMap(\.environments.keys))
            if let unknown = corrects.first(where: { !known.contains($0) }) {
                throw ConfigurationError.invalid(
                    file: file, key: "reconcile.correct", "no app has an environment '\(unknown)' (known: \(known.sorted().joined(separator: ", ")))")
            }
            configuration.reconcileCorrects = Set(corrects)
        }
        if let node = top["freeze"] { configuration.freezes = try FreezeParser.parse(node, reader, known: configuration.apps) }
        if let node = top["notify"] { configuration.notify = try NotifyParser.parse(node, reader, known: configuration.apps) }
        if let node = top["verification"] { configuration.verificationWorkflows = try verificationWorkflows(node, reader, known: configuration.apps) }
        if let node = top["oidc"] { configuration.oidc = try oidc(node, reader) }
        if let node = top["replicate"] { configuration.replicate = try replicate(node, reader) }
        if let node = top["api"] {
            let fields = try reader.mapping(node, "api", allowed: ["roles"])
            if let roles = fields["roles"] {
                for (action, value) in try reader.mapping(roles, "api.roles", allowed: ShiplogConfiguration.apiActions) {
                    let role = try reader.string(value, "api.roles.\(action)")
                    guard ShiplogConfiguration.apiRoleNames.contains(role) else {
                        throw ConfigurationError.invalid(file: file, key: "api.roles.\(action)", "must be viewer, deployer or maintainer, not '\(role)'")
                    }
                    configuration.apiRoles[action] = role
                }
            }
        }
        return configuration
    }

    /// `maintainers: {github_team: ORG/TEAM, cache: 5m, token_env: GITHUB_TOKEN, api_url: https://api.github.com}`.
    private static func maintainersTeam(_ node: Node, _ reader: Reader) throws -> GitHubTeam {
        let fields = try reader.mapping(node, "maintainers", allowed: ["github_team", "cache", "token_env", "api_url"])
        let name = try reader.required(fields, "github_team", "maintainers") { try reader.string($0, "maintainers.github_team") }
        let parts = name.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_."))
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.unicodeScalars.allSatisfy(allowed.contains) }) else {
            throw ConfigurationError.invalid(file: reader.file, key: "maintainers.github_team", "must be ORG/TEAM (the team's slug), such as WordPress/openverse-maintainers, not '\(name)'")
        }
        var team = GitHubTeam(organization: parts[0], slug: parts[1])
        if let value = fields["cache"] {
            let text = try reader.string(value, "maintainers.cache")
            guard let time = duration(text) else {
                throw ConfigurationError.invalid(file: reader.file, key: "maintainers.cache", "must be a duration such as 5m, 30s or 0s (ask every time), not '\(text)'")
            }
            team.cacheTime = time
        }
        if let value = fields["token_env"] {
            let variable = try reader.string(value, "maintainers.token_env")
            guard variable.range(of: "^[A-Za-z_][A-Za-z0-9_]*$", options: .regularExpression) != nil else {
                throw ConfigurationError.invalid(file: reader.file, key: "maintainers.token_env", "must name an environment variable (the token itself never goes in the file), not '\(variable)'")
            }
            team.tokenVariable = variable
        }
        if let value = fields["api_url"] {
            let text = try reader.string(value, "maintainers.api_url")
            guard let url = URL(string: text), ["http", "https"].contains(url.scheme), url.host?.isEmpty == false, url.query == nil else {
                throw ConfigurationError.invalid(file: reader.file, key: "maintainers.api_url", "must be an http(s) URL such as https://api.github.com, not '\(text)'")
            }
            team.apiURL = text.hasSuffix("/") ? String(text.dropLast()) : text
        }
        return team
    }

    /// A list of verification names, each a ledger name, none twice.
    private static func verificationNames(_ node: Node, _ key: String, _ reader: Reader) throws -> [String] {
        let names = try reader.strings(node, key)
        if let bad = names.first(where: { !NameRule.isValid($0) }) {
            throw ConfigurationError.invalid(file: reader.file, key: key, NameRule.problem(bad, what: "a verification name"))
        }
        if Set(names).count != names.count { throw ConfigurationError.invalid(file: reader.file, key: key, "names a verification twice") }
        return names
    }

    /// `verification: {github_workflows: [{workflow, name, app, environment, repository?, tag?}, ...]}`.
    private static func verificationWorkflows(
        _ node: Node, _ reader: Reader, known apps: [String: ShiplogConfiguration.App]
    ) throws -> [VerificationWorkflow] {
        let fields = try reader.mapping(node, "verification", allowed: ["github_workflows"])
        guard let list = fields["github_workflows"] else { return [] }
        guard case .sequence(let entries) = list else {
            throw ConfigurationError.invalid(file: reader.file, key: "verification.github_workflows", "must be a list such as [{workflow: .github/workflows/e2e.yml, name: e2e, app: frontend, environment: staging}]")
        }
        return try entries.enumerated().map { index, entry in
            let key = "verification.github_workflows[\(index)]"
            let fields = try reader.mapping(entry, key, allowed: ["workflow", "repository", "name", "app", "environment", "tag"])
            func text(_ name: String) throws -> String { try reader.required(fields, name, key) { try reader.string($0, "\(key).\(name)") } }
            let name = try text("name")
            guard NameRule.isValid(name) else { throw ConfigurationError.invalid(file: reader.file, key: "\(key).name", NameRule.problem(name, what: "a verification name")) }
            let app = try text("app"), environment = try text("environment")
            guard let found = apps[app] else {
                throw ConfigurationError.invalid(file: reader.file, key: "\(key).app", "unknown app '\(app)' (known: \(apps.keys.sorted().joined(separator: ", ")))")
            }
            guard found.environments[environment] != nil else {
                throw ConfigurationError.invalid(
                    file: reader.file, key: "\(key).environment", "app \(app) has no environment '\(environment)' (known: \(found.environments.keys.sorted().joined(separator: ", ")))")
            }
            var workflow = VerificationWorkflow(
                workflow: try text("workflow"), repository: try fields["repository"].map { try reader.string($0, "\(key).repository") },
                name: name, app: app, environment: environment)
            if let value = fields["tag"] {
                let source = try reader.string(value, "\(key).tag")
                guard let tag = VerificationWorkflow.TagSource(rawValue: source) else {
                    throw ConfigurationError.invalid(file: reader.file, key: "\(key).tag", "must be head_sha or short_sha, not '\(source)'")
                }
                workflow.tag = tag
            }
            return workflow
        }
    }

    /// `oidc: {issuer, audience, server_url, key_cache, leeway, roles: [{repository, ref, environment, ..., role}]}`.
    private static func oidc(_ node: Node, _ reader: Reader) throws -> GitHubOIDC {
        let fields = try reader.mapping(node, "oidc", allowed: ["issuer", "audience", "server_url", "key_cache", "leeway", "roles"])
        func url(_ key: String, default value: String) throws -> String {
            guard let node = fields[key] else { return value }
            let text = try reader.string(node, "oidc.\(key)")
            guard WorkflowTokenVerifier.isTrusted(text), URL(string: text)?.query == nil else {
                throw ConfigurationError.invalid(file: reader.file, key: "oidc.\(key)", "must be an https URL (http only on loopback) such as \(value), not '\(text)'")
            }
            return text.hasSuffix("/") ? String(text.dropLast()) : text
        }
        func seconds(_ key: String, default value: Duration) throws -> Duration {
            guard let node = fields[key] else { return value }
            let text = try reader.string(node, "oidc.\(key)")
            guard let time = duration(text) else {
                throw ConfigurationError.invalid(file: reader.file, key: "oidc.\(key)", "must be a duration such as 60s or 1h, not '\(text)'")
            }
            return time
        }
        let audience = try reader.required(fields, "audience", "oidc") { try reader.string($0, "oidc.audience") }
        guard !audience.isEmpty else { throw ConfigurationError.invalid(file: reader.file, key: "oidc.audience", "must not be empty") }
        guard let rolesNode = fields["roles"], case .sequence(let entries) = rolesNode, !entries.isEmpty else {
            throw ConfigurationError.invalid(file: reader.file, key: "oidc.roles", "must list at least one rule, such as {repository: OWNER/REPO, ref: refs/heads/main, role: deployer}")
        }
        let rules = try entries.enumerated().map { index, entry in
            let key = "oidc.roles[\(index)]"
            let rule = try reader.mapping(entry, key, allowed: GitHubOIDC.Rule.claimNames.union(["role"]))
            let roleName = try reader.required(rule, "role", key) { try reader.string($0, "\(key).role") }
            guard let role = Role(rawValue: roleName) else {
                throw ConfigurationError.invalid(file: reader.file, key: "\(key).role", "must be viewer, deployer or maintainer, not '\(roleName)'")
            }
            var claims: [String: String] = [:]
            for (name, value) in rule where name != "role" { claims[name] = try reader.string(value, "\(key).\(name)") }
            guard claims["repository"] != nil || claims["repository_owner"] != nil else {
                throw ConfigurationError.invalid(file: reader.file, key: key, "must name a repository (or repository_owner): any repository on GitHub can ask for a token")
            }
            return GitHubOIDC.Rule(claims: claims, role: role)
        }
        return GitHubOIDC(
            issuer: try url("issuer", default: GitHubOIDC.defaultIssuer), audience: audience,
            serverURL: try url("server_url", default: GitHubOIDC.defaultServerURL),
            keyCacheTime: try seconds("key_cache", default: .seconds(3600)), leeway: try seconds("leeway", default: .seconds(60)), rules: rules)
    }

    private static func drivers(_ node: Node, _ reader: Reader) throws -> ShiplogConfiguration.Drivers {
        let fields = try reader.mapping(node, "drivers", allowed: ["ecs", "registry", "region", "endpoint", "simulated"])
        var drivers = ShiplogConfiguration.Drivers()
        if let value = fields["ecs"] {
            let text = try reader.string(value, "drivers.ecs")
            guard let ecs = ShiplogConfiguration.Drivers.ECS(rawValue: text) else {
                throw ConfigurationError.invalid(file: reader.file, key: "drivers.ecs", "must be simulated or aws, not '\(text)'")
            }
            drivers.ecs = ecs
        }
        if let value = fields["registry"] {
            let text = try reader.string(value, "drivers.registry")
            guard let registry = ShiplogConfiguration.Drivers.Registry(rawValue: text) else {
                throw ConfigurationError.invalid(file: reader.file, key: "drivers.registry", "must be simulated or live, not '\(text)'")
            }
            drivers.registry = registry
        }
        if let value = fields["region"] { drivers.region = try reader.string(value, "drivers.region") }
        if let value = fields["endpoint"] {
            let text = try reader.string(value, "drivers.endpoint")
            guard let url = URL(string: text), url.host != nil else {
                throw ConfigurationError.invalid(file: reader.file, key: "drivers.endpoint", "must be a URL such as http://127.0.0.1:5000, not '\(text)'")
            }
            drivers.endpoint = url
        }
        if let value = fields["simulated"] {
            let simulated = try reader.mapping(value, "drivers.simulated", allowed: ["tags", "failing_tags"])
            drivers.simulatedTags = try simulated["tags"].map { try reader.strings($0, "drivers.simulated.tags") } ?? []
            drivers.failingTags = try simulated["failing_tags"].map { try reader.strings($0, "drivers.simulated.failing_tags") } ?? []
        }
        return drivers
    }

    private static func app(_ name: String, _ node: Node, _ reader: Reader) throws -> ShiplogConfiguration.App {
        let path = "apps.\(name)"
        let fields = try reader.mapping(node, path, allowed: ["registry", "containers", "environments", "drift_ignore"])
        let registry = try reader.required(fields, "registry", path) { try reader.string($0, "\(path).registry") }
        let containers = try reader.required(fields, "containers", path) { node in
            try reader.mapping(node, "\(path).containers", allowed: nil).map { container, image in
                ShiplogConfiguration.Container(name: container, image: try reader.string(image, "\(path).containers.\(container)"))
            }
        }
        if containers.isEmpty { throw ConfigurationError.invalid(file: reader.file, key: "\(path).containers", "must name at least one container") }
        for container in containers where container.image.split(separator: "/").last?.contains(":") == true {
            throw ConfigurationError.invalid(
                file: reader.file, key: "\(path).containers.\(container.name)", "the image must not carry a tag (the deploy sets it): '\(container.image)'")
        }
        let environments = try reader.required(fields, "environments", path) { try reader.mapping($0, "\(path).environments", allowed: nil) }
        var result: [String: ShiplogConfiguration.Environment] = [:]
        for (environment, value) in environments {
            let key = "\(path).environments.\(environment)"
            let place = try reader.mapping(value, key, allowed: ["cluster", "service", "template_family", "version_endpoint", "gates"])
            let endpoint = try place["version_endpoint"].map { try reader.string($0, "\(key).version_endpoint") }
            if let endpoint, URL(string: endpoint)?.host == nil {
                throw ConfigurationError.invalid(file: reader.file, key: "\(key).version_endpoint", "must be a URL, not '\(endpoint)'")
            }
            result[environment] = ShiplogConfiguration.Environment(
                name: environment,
                cluster: try reader.required(place, "cluster", key) { try reader.string($0, "\(key).cluster") },
                service: try reader.required(place, "service", key) { try reader.string($0, "\(key).service") },
                templateFamily: try reader.required(place, "template_family", key) { try reader.string($0, "\(key).template_family") },
                versionEndpoint: endpoint)
            if let node = place["gates"] {
                guard environment == ShiplogConfiguration.promotionTarget else {
                    throw ConfigurationError.invalid(
                        file: reader.file, key: "\(key).gates",
                        "gates hold promotions, which deploy only to \(ShiplogConfiguration.promotionTarget): list them under \(path).environments.\(ShiplogConfiguration.promotionTarget)")
                }
                result[environment]?.gates = try verificationNames(node, "\(key).gates", reader)
            }
        }
        if result.isEmpty { throw ConfigurationError.invalid(file: reader.file, key: "\(path).environments", "must name at least one environment") }
        var app = ShiplogConfiguration.App(name: name, registry: registry, containers: containers, environments: result)
        if let node = fields["drift_ignore"] {
            let ignored = try reader.strings(node, "\(path).drift_ignore")
            if let unknown = ignored.first(where: { !ShiplogConfiguration.driftFields.contains($0) }) {
                throw ConfigurationError.invalid(
                    file: reader.file, key: "\(path).drift_ignore",
                    "unknown field '\(unknown)' (known: \(ShiplogConfiguration.driftFields.sorted().joined(separator: ", ")))")
            }
            app.driftIgnore = Set(ignored)
        }
        return app
    }

    /// `15m`, `900s`, `900`, `1h`, `1h30m`.
    /// The `replicate:` section: a URL and, optionally, positive durations.
    private static func replicate(_ node: Node, _ reader: Reader) throws -> ReplicateSection {
        let fields = try reader.mapping(node, "replicate", allowed: ["url", "endpoint", "region", "sync_interval", "retention", "lease_duration", "lease_table", "lease_endpoint"])
        guard let url = fields["url"] else { throw ConfigurationError.invalid(file: reader.file, key: "replicate.url", "missing") }
        var section = ReplicateSection(url: try reader.string(url, "replicate.url"))
        section.endpoint = try fields["endpoint"].map { try reader.string($0, "replicate.endpoint") }
        section.region = try fields["region"].map { try reader.string($0, "replicate.region") }
        func positive(_ key: String) throws -> Duration? {
            guard let value = fields[key] else { return nil }
            let text = try reader.string(value, "replicate.\(key)")
            guard let parsed = duration(text), parsed > .zero else {
                throw ConfigurationError.invalid(file: reader.file, key: "replicate.\(key)", "must be a duration such as 1s or 24h, not '\(text)'")
            }
            return parsed
        }
        section.syncInterval = try positive("sync_interval")
        section.retention = try positive("retention")
        section.leaseDuration = try positive("lease_duration")
        section.leaseTable = try fields["lease_table"].map { try reader.string($0, "replicate.lease_table") }
        if let node = fields["lease_endpoint"] {
            let text = try reader.string(node, "replicate.lease_endpoint")
            guard let url = AWSClientConfiguration.endpointURL(text) else {
                throw ConfigurationError.invalid(file: reader.file, key: "replicate.lease_endpoint", "must be an http or https URL, not '\(text)'")
            }
            guard section.leaseTable != nil else {
                throw ConfigurationError.invalid(file: reader.file, key: "replicate.lease_endpoint", "is only used with replicate.lease_table")
            }
            section.leaseEndpoint = url
        }
        return section
    }

    static func duration(_ text: String) -> Duration? {
        if let seconds = Int(text) { return .seconds(seconds) }
        var total = 0
        var number = ""
        for character in text {
            if character.isNumber {
                number.append(character)
                continue
            }
            guard let value = Int(number) else { return nil }
            switch character {
            case "h": total += value * 3600
            case "m": total += value * 60
            case "s": total += value
            default: return nil
            }
            number = ""
        }
        return number.isEmpty && !text.isEmpty ? .seconds(total) : nil
    }

    /// Reads typed values from nodes, naming the dotted key of whatever is wrong.
    struct Reader {
        let file: String

        /// The node's keys in file order; `allowed` nil accepts any key.
        func mapping(_ node: Node, _ key: String, allowed: Set<String>?) throws -> OrderedFields {
            guard case .mapping(let mapping) = node else {
                throw ConfigurationError.invalid(file: file, key: key.isEmpty ? "(top level)" : key, "must be a mapping of keys to values")
            }
            var fields = OrderedFields()
            for (keyNode, value) in mapping {
                guard let name = keyNode.string else { throw ConfigurationError.invalid(file: file, key: key, "keys must be strings") }
                let path = key.isEmpty ? name : "\(key).\(name)"
                if let allowed, !allowed.contains(name) {
                    throw ConfigurationError.invalid(file: file, key: path, "unknown key (known: \(allowed.sorted().joined(separator: ", ")))")
                }
                fields.append(name, value)
            }
            return fields
        }

        func string(_ node: Node, _ key: String) throws -> String {
            guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
                throw ConfigurationError.invalid(file: file, key: key, node.isNull ? "missing" : "must be a text value")
            }
            return scalar.string
        }

        func strings(_ node: Node, _ key: String) throws -> [String] {
            guard case .sequence(let sequence) = node else {
                throw ConfigurationError.invalid(file: file, key: key, "must be a list such as [a, b]")
            }
            return try sequence.enumerated().map { try string($1, "\(key)[\($0)]") }
        }

        func stringOrStrings(_ node: Node, _ key: String) throws -> [String] {
            if case .scalar = node { return [try string(node, key)] }
            return try strings(node, key)
        }

        func required<T>(_ fields: OrderedFields, _ name: String, _ parent: String, _ read: (Node) throws -> T) throws -> T {
            guard let node = fields[name], !node.isNull else {
                throw ConfigurationError.invalid(file: file, key: "\(parent).\(name)", "missing")
            }
            return try read(node)
        }
    }

    /// A mapping's entries in file order, looked up by key.
    struct OrderedFields: Sequence {
        private var entries: [(String, Node)] = []

        mutating func append(_ key: String, _ value: Node) { entries.append((key, value)) }

        subscript(key: String) -> Node? { entries.first { $0.0 == key }?.1 }

        func makeIterator() -> IndexingIterator<[(String, Node)]> { entries.makeIterator() }
    }
}

extension Node {
    /// `~`, `null` or nothing at all.
    fileprivate var isNull: Bool {
        guard case .scalar(let scalar) = self else { return false }
        return scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }
}
