import AWS
import Foundation

/// A line of a service's event log, such as "(service staging-api) has reached a steady state."
public struct ServiceEvent: Sendable, Hashable, Codable {
    public var id: String
    public var createdAt: Date
    public var message: String

    public init(id: String, createdAt: Date, message: String) {
        self.id = id
        self.createdAt = createdAt
        self.message = message
    }

    init?(json: JSONValue) {
        guard let message = json["message"]?.stringValue else { return nil }
        self.init(
            id: json["id"]?.stringValue ?? "",
            createdAt: json["createdAt"]?.dateValue ?? Date(timeIntervalSince1970: 0),
            message: message
        )
    }
}
