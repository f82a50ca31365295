import Synchronization

/// The JSON field names a payload type carries: its stored properties in snake_case, read once
/// per type by reflection (optional properties count, set or not).
///
/// The payloads encode with `convertToSnakeCase`, so `taskDefinitionArn` is written
/// `task_definition_arn`; none of their names holds an acronym, where the two spellings part.
enum PayloadFields {
    private static let known = Mutex<[ObjectIdentifier: Set<String>]>([:])

    static func names(of payload: any EventPayload) -> Set<String> {
        let type = ObjectIdentifier(Swift.type(of: payload))
        if let names = known.withLock({ $0[type] }) { return names }
        let names = Set(Mirror(reflecting: payload).children.compactMap { $0.label.map(JSONText.snakeCase) })
        known.withLock { $0[type] = names }
        return names
    }
}
