import Access
import ArgumentParser
import Ledger
import Server

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
            abstract: "Create a token and print it, once: only its hash is kept.",
            discussion: "Roles: viewer reads; deployer also deploys and records events; maintainer also rolls back, promotes and deploys to production."
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: "Whom the token is for: the actor of everything it records.")
        var name: String

        @Option(help: "viewer, deployer or maintainer.")
        var role: Role

        func run() async throws {
            let store = try global.openStore(.readWrite(create: false))
            defer { store.close() }
            let issued = try await AccessTokens(store: store).issue(name: name, role: role, metadata: global.metadata)
            complain("token \(issued.record.id) for \(name) (\(role.rawValue)); it is shown once, only its hash is stored:")
            emit(issued.secret)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")

        @OptionGroup var database: DatabaseOptions

        @Flag(help: "Include revoked tokens.")
        var all = false

        @Option(help: "table, json or csv.")
        var format: OutputFormat = .table

        func run() async throws {
            let store = try database.openStore(.readOnly)
            let records = try AccessTokens(store: store).list().filter { all || $0.isActive }
            let listing = Listing(columns: ["id", "name", "role", "issued_at", "issued_by", "revoked_at"], rows: records) { record in
                [record.id, record.name, record.role.rawValue, record.issuedAt, record.issuedBy, record.revokedAt]
            }
            emit(try listing.render(format))
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token, by id or by name; the service refuses it at once.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The token's id (from `token list`) or name.")
        var token: String

        func run() async throws {
            let store = try global.openStore(.readWrite(create: false))
            defer { store.close() }
            let record = try await AccessTokens(store: store).revoke(token, metadata: global.metadata)
            emit("revoked token \(record.id) (\(record.name), \(record.role.rawValue))")
        }
    }
}
