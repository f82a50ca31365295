import Foundation
import Hummingbird
import Ledger
import NIOCore

/// JSON responses assembled from parts: records encoded with the API's conventions, and events
/// spliced in as the log already holds them (their data and metadata are JSON text).
enum JSONBody {
    static func encode(_ value: some Encodable) throws -> String {
        String(decoding: try APICoding.encoder.encode(value), as: UTF8.self)
    }

    /// What runs for one app in one environment, as `APICoding.encoder` writes it (keys sorted,
    /// absent values left out), written by hand: `GET /api/v1/environments` is the service's
    /// busiest read, and JSONEncoder's snake_case conversion alone took a sixth of its time.
    static func environmentState(_ state: EnvironmentState) -> String {
        var members: [String] = []
        func member(_ key: String, _ value: String?) {
            if let value { members.append("\"\(key)\":" + value) }
        }
        member("app", state.app.jsonQuoted)
        member("deployed_at", state.deployedAt?.jsonQuoted)
        member("deployed_by", state.deployedBy?.jsonQuoted)
        member("deployment_in_progress", state.deploymentInProgress?.jsonQuoted)
        member("drift", state.drift?.jsonQuoted)
        member("environment", state.environment.jsonQuoted)
        member("images", state.images?.jsonQuoted)
        member("last_healthy_arn", state.lastHealthyArn?.jsonQuoted)
        member("last_healthy_revision", state.lastHealthyRevision.map(String.init))
        member("last_outcome", state.lastOutcome?.rawValue.jsonQuoted)
        member("revision", state.revision.map(String.init))
        member("tag", state.tag?.jsonQuoted)
        member("task_definition_arn", state.taskDefinitionArn?.jsonQuoted)
        member("updated_position", String(state.updatedPosition))
        return "{" + members.joined(separator: ",") + "}"
    }

    /// `[event, event, ...]` in the log's own one-line form.
    static func events(_ events: [RecordedEvent]) -> String {
        "[" + events.map { $0.jsonLine() }.joined(separator: ",") + "]"
    }

    /// A response whose body is the JSON text `text`.
    static func response(_ text: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// A response of `{"key": value, ...}` from already-encoded members (keys are plain names).
    static func object(_ members: KeyValuePairs<String, String>, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var text = "{"
        for (index, member) in members.enumerated() {
            if index > 0 { text += "," }
            text += "\"\(member.key)\":" + member.value
        }
        return response(text + "}", status: status, headers: headers)
    }
}
