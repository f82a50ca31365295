import Deploy
import Foundation
import Ledger
import NIOHTTP1

/// The API's reads, decoded into the types the local commands print, so both paths share their
/// rendering.
extension ServiceClient {
    /// `GET /api/v1/environments`: what runs where, the active freezes and the reconciler's last pass.
    struct Environments: Decodable {
        struct Freeze: Decodable {
            var environment: String
            var window: String
            var reason: String?
            var until: String
        }

        var environments: [EnvironmentState]
        var freezes: [Freeze]
        var lastPass: LastPass?

        /// The freezes as the local configuration gives them; `nil` when the service wrote a time it cannot have.
        var activeFreezes: [ActiveFreeze]? {
            let parsed = freezes.map { freeze in
                (try? Date(freeze.until, strategy: .iso8601)).map {
                    ActiveFreeze(environment: freeze.environment, window: freeze.window, reason: freeze.reason, until: $0)
                }
            }
            return parsed.contains { $0 == nil } ? nil : parsed.compactMap { $0 }
        }
    }

    func environments() async throws -> Environments {
        try await get("/api/v1/environments")
    }

    /// The newest `limit` deployments `filter` selects, page by page (the API hands out at most 500 at a time).
    func deployments(_ filter: DeploymentFilter) async throws -> [DeploymentRecord] {
        struct Page: Decodable {
            var deployments: [DeploymentRecord]
            var nextCursor: String?
        }
        return try await paged(limit: filter.limit, pageLimit: 500) { cursor, limit in
            let page: Page = try await get("/api/v1/deployments", query: [
                ("app", filter.app), ("environment", filter.environment), ("actor", filter.actor), ("outcome", filter.outcome?.rawValue),
                ("since", filter.since), ("until", filter.until), ("limit", String(limit)), ("cursor", cursor),
            ])
            return (page.deployments, page.nextCursor)
        }
    }

    /// The newest `limit` audit entries `filter` selects, page by page (at most 1000 at a time).
    func audit(_ filter: AuditFilter) async throws -> [AuditEntry] {
        struct Page: Decodable {
            var entries: [AuditEntry]
            var nextCursor: String?
        }
        return try await paged(limit: filter.limit, pageLimit: 1000) { cursor, limit in
            let page: Page = try await get("/api/v1/audit", query: [
                ("actor", filter.actor), ("action", filter.action), ("outcome", filter.outcome?.rawValue),
                ("since", filter.since), ("until", filter.until), ("limit", String(limit)), ("cursor", cursor),
            ])
            return (page.entries, page.nextCursor)
        }
    }

    /// One deployment and its events, as the log holds them; `nil` when the service has no such deployment.
    func deployment(_ id: String) async throws -> (record: DeploymentRecord, events: [RecordedEvent])? {
        let path = "/api/v1/deployments/" + (id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? id)
        let answer: Answer
        do {
            answer = try await send(.GET, path)
        } catch ServiceError.refused(let status, _) where status == 404 {
            return nil
        }
        struct Detail: Decodable { var deployment: DeploymentRecord }
        let detail = try decode(Detail.self, from: answer, path: path)
        let text = String(decoding: answer.body, as: UTF8.self)
        guard let timeline = JSONObjectText.members(of: text[...])?["timeline"],
              let lines = JSONArrayText.elements(of: String(timeline), after: "") else {
            throw ServiceError.notShiplog("\(baseURL) does not answer \(path) as a shiplog service does (its timeline is not the log's lines)")
        }
        return (detail.deployment, try recordedEvents(lines, path: path))
    }

    /// The events after `after`, at most `limit`, each as the log holds it.
    func events(after: Int64, limit: Int) async throws -> [RecordedEvent] {
        let page = try await eventPage(stream: nil, type: nil, actor: nil, after: after, limit: limit)
        return try recordedEvents(page.lines, path: "/api/v1/events")
    }

    private func recordedEvents(_ lines: [Substring], path: String) throws -> [RecordedEvent] {
        try lines.map { line in
            guard let event = RecordedEvent(line: line) else {
                throw ServiceError.notShiplog("\(baseURL) does not answer \(path) as a shiplog service does (an event is not the log's line)")
            }
            return event
        }
    }

    /// A proof the service computes; a size or position it refuses is refused in its words, as locally.
    func proof<Body: Decodable>(_ path: String, query: [(String, String?)]) async throws -> Body {
        do {
            return try await get(path, query: query)
        } catch ServiceError.refused(let status, let message) where status == 400 {
            throw CommandFailure(message)
        }
    }

    /// Items newest first across pages: `fetch` takes the cursor and the page's size and returns
    /// the page's items and the next cursor (nil on the last page).
    private func paged<Item>(
        limit: Int, pageLimit: Int, _ fetch: (String?, Int) async throws -> ([Item], String?)
    ) async throws -> [Item] {
        var items: [Item] = []
        var cursor: String?
        repeat {
            let (page, next) = try await fetch(cursor, min(pageLimit, limit - items.count))
            items += page
            cursor = next
        } while cursor != nil && items.count < limit
        return items
    }
}
