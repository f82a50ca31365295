import Access
import Foundation
import Hummingbird
import Ledger

/// Reads a request's query parameters strictly: a parameter the endpoint does not take, a number
/// out of range or a malformed name is a 400 that says which and why.
struct QueryReader {
    private let parameters: [String: String]

    init(_ request: Request, allowed: Set<String>) throws {
        var parameters: [String: String] = [:]
        for (key, value) in request.uri.queryParameters {
            let name = String(key)
            guard allowed.contains(name) else {
                let known = allowed.isEmpty ? "none" : allowed.sorted().joined(separator: ", ")
                throw HTTPError(.badRequest, message: "unknown query parameter '\(name)' (known: \(known))")
            }
            guard parameters[name] == nil else { throw HTTPError(.badRequest, message: "query parameter '\(name)' is given twice") }
            parameters[name] = String(value)
        }
        self.parameters = parameters
    }

    func string(_ name: String) -> String? {
        parameters[name]
    }

    /// An app, environment, actor or other name: letters, digits and `._-@`, at most 128.
    func name(_ name: String) throws -> String? {
        guard let value = parameters[name] else { return nil }
        try Names.check(value, what: name)
        return value
    }

    /// One of `Value`'s cases, by its raw value.
    func choice<Value: RawRepresentable & CaseIterable>(_ name: String, _: Value.Type) throws -> Value? where Value.RawValue == String {
        guard let text = parameters[name] else { return nil }
        guard let value = Value(rawValue: text) else {
            let values = Value.allCases.map(\.rawValue)
            throw HTTPError(.badRequest, message: "\(name) must be one of \(values.joined(separator: ", ")), not '\(text)'")
        }
        return value
    }

    /// An integer in `range`, or `defaultValue` when absent.
    func integer(_ name: String, in range: ClosedRange<Int64>, default defaultValue: Int64? = nil) throws -> Int64? {
        guard let text = parameters[name] else { return defaultValue }
        guard let value = Int64(text), range.contains(value) else {
            throw HTTPError(.badRequest, message: "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return value
    }

    /// A date (`2026-11-27`) or ISO 8601 time, normalised to the log's timestamp format.
    func time(_ name: String) throws -> String? {
        guard let text = parameters[name] else { return nil }
        guard let date = Timestamp.date(from: text) else {
            throw HTTPError(.badRequest, message: "\(name) must be a date (2026-11-27) or an ISO 8601 time (2026-11-27T10:00:00Z), not '\(text)'")
        }
        return Timestamp.string(from: date)
    }

    func boolean(_ name: String) throws -> Bool? {
        guard let text = parameters[name] else { return nil }
        switch text {
        case "true", "1": return true
        case "false", "0": return false
        default: throw HTTPError(.badRequest, message: "\(name) must be true or false, not '\(text)'")
        }
    }

    /// The `next_cursor` of a page newest first: the last position shown when the page is full
    /// (more may follow), else nil (null: the last page).
    static func nextCursor(_ positions: [Int64], limit: Int) -> String? {
        guard positions.count == limit, let last = positions.last else { return nil }
        return String(last)
    }
}

/// The names the API accepts in paths and filters.
enum Names {
    /// The path parameter `name`, percent-decoded (clients may send `@` as `%40`), then checked.
    static func pathParameter(_ name: String, _ context: ShiplogRequestContext, what: String? = nil) throws -> String {
        let raw = try context.parameters.require(name)
        let value = raw.removingPercentEncoding ?? raw
        try check(value, what: what ?? name)
        return value
    }

    /// Refuses anything but a name of the ledger's ``NameRule`` (bot logins such as
    /// `dependabot[bot]` included).
    static func check(_ value: String, what: String) throws {
        guard NameRule.isValid(value) else { throw HTTPError(.badRequest, message: NameRule.problem(value, what: what)) }
    }
}
