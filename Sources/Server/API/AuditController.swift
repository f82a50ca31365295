import Access
import Hummingbird
import Ledger

/// Who did what, refusals included, newest first, paged by cursor.
struct AuditController {
    let backend: Backend

    static let outcomes = ["allowed", "denied", "failed"]

    var endpoints: RouteCollection<ShiplogRequestContext> {
        RouteCollection(context: ShiplogRequestContext.self).get(use: list)
    }

    /// A page of entries, newest first.
    struct AuditPage: ResponseEncodable {
        var entries: [AuditEntry]
        var nextCursor: String?

        enum CodingKeys: String, CodingKey {
            case entries
            case nextCursor = "next_cursor"
        }

        /// `next_cursor` is null on the last page, not left out.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(entries, forKey: .entries)
            try container.encode(nextCursor, forKey: .nextCursor)
        }
    }

    @Sendable func list(_ request: Request, context: ShiplogRequestContext) async throws -> AuditPage {
        try await backend.authorize(.read, context)
        let query = try QueryReader(request, allowed: ["actor", "action", "outcome", "since", "until", "limit", "cursor"])
        let limit = try query.integer("limit", in: 1...1000, default: 100) ?? 100
        let filter = AuditFilter(
            actor: try query.name("actor"), action: try query.name("action"), outcome: try query.choice("outcome", Self.outcomes),
            since: try query.time("since"), until: try query.time("until"), before: try query.integer("cursor", in: 1...Int64.max),
            limit: Int(limit))
        let entries = try backend.store.audit(filter)
        return AuditPage(entries: entries, nextCursor: QueryReader.nextCursor(entries.map(\.position), limit: Int(limit)))
    }
}
