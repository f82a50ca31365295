import Access
import ArgumentParser
import Ledger

struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "API tokens for `shiplog serve`: create, list, revoke.",
        discussion: "Tokens are events in the ledger's `tokens` stream; only a token's SHA-256 is stored.",
        subcommands: [Create.self, List.self, Revoke.self]
    )
}

extension Role: ExpressibleByArgument {}

extension Token {
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token and print it, once.",
            discussion: "Only the token's hash is kept. Roles: viewer reads; deployer also deploys and records events; maintainer also rolls back, promotes and deploys to production."
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: "Whom the token is for: the actor of everything it records.")
        var name: String

        @Option(help: .choosing("What the token may do (the roles above)", Role.self))
        var role: Role

        // Unconditional, so `-5d` reaches the check below and is refused as a value, not read as a flag.
        @Option(parsing: .unconditional, help: "How long it works: a number and s, m, h or d (90d); without it, until revoked.")
        var expiresIn: String?

        func run() async throws {
            // Read before the ledger is opened, so a bad value writes nothing.
            let lifetime = try expiresIn.map(TokenLifetime.init)
            let store = try global.openStore(.readWrite(create: false))
            defer { store.close() }
            try await global.authorize(.tokenAdmin, in: store)
            let issued = try await AccessTokens(store: store).issue(name: name, role: role, expiresIn: lifetime, metadata: global.metadata)
            let expiry = issued.record.expiresAt.map { ", expires \($0)" } ?? ""
            complain("token \(issued.record.id) for \(name) (\(role.rawValue)\(expiry)); it is shown once, only its hash is stored:")
            emit(issued.secret)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")

        @OptionGroup var database: DatabaseOptions

        @Flag(help: "Include revoked tokens (expired ones are always listed, with their expiry).")
        var all = false

        @Option(help: .choosing("A table for people, JSON or CSV for programs", OutputFormat.self))
        var format: OutputFormat = .table

        func run() async throws {
            let store = try database.openStore(.readOnly)
            let records = try AccessTokens(store: store).list().filter { all || $0.isActive }
            let columns = ["id", "name", "role", "issued_at", "issued_by", "expires_at", "last_used_at", "revoked_at"]
            let listing = Listing(columns: columns, rows: records) { record in
                [record.id, record.name, record.role.rawValue, record.issuedAt, record.issuedBy, record.expiresAt, record.lastUsedAt,
                 record.revokedAt]
            }
            emit(try listing.render(format))
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token, by id or by name.",
            discussion: "The service refuses it at once."
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The token's id (from `token list`) or name.")
        var token: String

        func run() async throws {
            let store = try global.openStore(.readWrite(create: false))
            defer { store.close() }
            try await global.authorize(.tokenAdmin, in: store)
            let record = try await AccessTokens(store: store).revoke(token, metadata: global.metadata)
            emit("revoked token \(record.id) (\(record.name), \(record.role.rawValue))")
        }
    }
}
