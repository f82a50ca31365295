import AsyncHTTPClient
import Foundation
import NIOCore

/// Reads a `text/event-stream` body one message at a time, as a browser's `EventSource` does.
struct ServerSentEventReader {
    /// One message: an event (`id`, `event`, `data`), or a comment line (`: keep-alive`).
    struct Message: Equatable {
        var id: String?
        var event: String?
        var data: String?
        var comment: String?
    }

    private var body: HTTPClientResponse.Body.AsyncIterator
    private var pending: [UInt8] = []

    init(_ response: HTTPClientResponse) {
        body = response.body.makeAsyncIterator()
    }

    /// The next message, or nil when the server ended the stream.
    mutating func next() async throws -> Message? {
        while true {
            if let end = Self.blankLine(in: pending) {
                let block = String(decoding: pending[..<end], as: UTF8.self)
                pending.removeFirst(end + 2)
                return Self.parse(block)
            }
            guard let chunk = try await body.next() else { return nil }
            pending.append(contentsOf: chunk.readableBytesView)
        }
    }

    /// The next event, skipping comments.
    mutating func nextEvent() async throws -> Message? {
        while let message = try await next() {
            if message.comment == nil { return message }
        }
        return nil
    }

    private static func blankLine(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        return (0..<(bytes.count - 1)).first { bytes[$0] == UInt8(ascii: "\n") && bytes[$0 + 1] == UInt8(ascii: "\n") }
    }

    private static func parse(_ block: String) -> Message {
        var message = Message()
        for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(":") {
                message.comment = line.dropFirst().trimmingCharacters(in: .whitespaces)
                continue
            }
            let parts = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let value = parts.count > 1 ? String(parts[1].hasPrefix(" ") ? parts[1].dropFirst() : parts[1]) : ""
            switch parts[0] {
            case "id": message.id = value
            case "event": message.event = value
            case "data": message.data = message.data.map { $0 + "\n" + value } ?? value
            default: break
            }
        }
        return message
    }
}

