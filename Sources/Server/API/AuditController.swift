import Access
import Hummingbird
import Ledger

/// Who did what, refusals included, newest first, paged by cursor.
struct AuditController {
    let backend: Backend

    var endpoints: RouteCollection<ShiplogRequestContext> {
        RouteCollection(context: ShiplogRequestContext.self).get(use: list)
    }

    @Sendable func list(_ request: Request, context: ShiplogRequestContext) async throws -> CursorPage<AuditEntry> {
        try await backend.authorize(.read, context)
        let query = try QueryReader(request, allowed: ["actor", "action", "outcome", "since", "until", "limit", "cursor"])
        let limit = try query.integer("limit", in: 1...1000, default: 100) ?? 100
        let filter = AuditFilter(
            actor: try query.name("actor"), action: try query.name("action"), outcome: try query.choice("outcome", AuditOutcome.self),
            since: try query.time("since"), until: try query.time("until"), before: try query.integer("cursor", in: 1...Int64.max),
            limit: Int(limit))
        let entries = try await backend.store.reading { try $0.audit(filter) }
        return CursorPage(itemsKey: "entries", items: entries, nextCursor: QueryReader.nextCursor(entries.map(\.position), limit: Int(limit)))
    }
}
