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
