import Foundation
import SQLite

/// Reads the log back for a rebuild, in position order, with the fields the
/// projections need already pulled out of the JSON by SQLite's own JSON
/// functions — decoding every payload with `JSONDecoder` would cost more than
/// all of the rebuild's SQL.
enum ReplayQuery {
    static func statement(_ db: Connection) throws -> Statement {
        let types = Projections.relevantTypes.sorted()
        // `+type` keeps SQLite on the table's position order rather than the type
        // index, which would need a sort of every matching row.
        let statement = try db.prepare("""
            SELECT position, stream, type, data, metadata, recorded_at,
                json_extract(data, '$.app'), json_extract(data, '$.environment'), json_extract(data, '$.tag'),
                json_extract(data, '$.trigger'), json_extract(data, '$.images'),
                json_extract(data, '$.task_definition_arn'), json_extract(data, '$.family'), json_extract(data, '$.revision'),
                json_extract(data, '$.reused'),
                json_extract(metadata, '$.actor'), json_extract(metadata, '$.on_behalf_of'), json_extract(metadata, '$.role'),
                json_extract(metadata, '$.auth_method'), json_extract(metadata, '$.source'), json_extract(metadata, '$.commit'),
                json_extract(metadata, '$.correlation_id'), json_extract(metadata, '$.causation_id'),
                json_extract(metadata, '$.client_address'), json_extract(metadata, '$.committed_at'),
                json_extract(data, '$.duration_ms')
            FROM events WHERE +type IN (\(types.map { _ in "?" }.joined(separator: ","))) ORDER BY position
            """)
        try statement.bind(types)
        return statement
    }

    /// The current row's payload and where it sits, for the projections.
    static func input(_ row: Statement) throws -> (payload: any EventPayload, event: Projections.Input) {
        let metadata = EventMetadata(
            actor: row.optionalString(at: 15), onBehalfOf: row.optionalString(at: 16), role: row.optionalString(at: 17),
            authMethod: row.optionalString(at: 18), source: row.optionalString(at: 19), commit: row.optionalString(at: 20),
            committedAt: row.optionalString(at: 24), correlationID: row.optionalString(at: 21), causationID: row.optionalString(at: 22), clientAddress: row.optionalString(at: 23))
        let type = row.string(at: 2)
        let payload = try extracted(type, row) ?? EventTypes.storedPayload(type: type, data: row.string(at: 3))
        return (payload, Projections.Input(position: row.int64(at: 0), stream: row.string(at: 1), metadata: .decoded(metadata), recordedAt: row.string(at: 5)))
    }

    /// The payloads of the types every deployment has, from the columns SQLite extracted; the
    /// others are decoded from their JSON.
    private static func extracted(_ type: String, _ row: Statement) throws -> (any EventPayload)? {
        switch type {
        case DeploymentRequested.eventType:
            guard let app = row.optionalString(at: 6), let environment = row.optionalString(at: 7), let tag = row.optionalString(at: 8),
                  let trigger = row.optionalString(at: 9).flatMap(DeploymentTrigger.init(rawValue:)) else { return nil }
            return DeploymentRequested(app: app, environment: environment, tag: tag, trigger: trigger, images: try images(row))
        case TaskDefinitionRegistered.eventType:
            guard let arn = row.optionalString(at: 11), let family = row.optionalString(at: 12), let revision = row.optionalInt64(at: 13)
            else { return nil }
            return TaskDefinitionRegistered(taskDefinitionArn: arn, family: family, revision: Int(revision),
                                            reused: row.optionalInt64(at: 14).map { $0 != 0 })
        case DeploymentStable.eventType:
            guard let arn = row.optionalString(at: 11) else { return nil }
            return DeploymentStable(taskDefinitionArn: arn, revision: row.optionalInt64(at: 13).map(Int.init), images: try images(row),
                                    durationMs: row.optionalInt64(at: 25))
        default:
            return nil
        }
    }

    private static func images(_ row: Statement) throws -> [String: String]? {
        guard let json = row.optionalString(at: 10) else { return nil }
        return try imagesDecoder.decode([String: String].self, from: Data(json.utf8))
    }

    /// Decoders hold no state between calls; one is shared rather than made per event.
    private static let imagesDecoder = JSONDecoder()
}
