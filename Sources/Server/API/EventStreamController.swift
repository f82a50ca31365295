import Access
import HTTPTypes
import Hummingbird
import Ledger
import NIOCore
import ServiceLifecycle

/// The log as it grows, as Server-Sent Events (`GET /api/v1/events/stream`): each event is sent as
/// `id: <position>`, `event: <type>`, `data: <the event as one JSON line>`, and an idle stream
/// gets a `: keep-alive` comment every 15 seconds.
///
/// A stream starts after `Last-Event-ID` (what a browser's `EventSource` sends when it
/// reconnects), else after `?after=`, else at the head: only new events. The header wins because
/// `EventSource` reconnects to the URL it was opened with, so its `after` is the older position.
///
/// ```sh
/// curl -N -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:8080/api/v1/events/stream?after=120&type=DeploymentFailed"
/// ```
struct EventStreamController {
    let backend: Backend
    let watcher: LedgerWatcher

    /// - Parameter watcher: by default one of its own, reading the head five times a second while a
    ///   stream is open and sending keep-alives after 15 quiet seconds.
    init(backend: Backend, watcher: LedgerWatcher? = nil) {
        self.backend = backend
        self.watcher = watcher ?? LedgerWatcher(store: backend.store, logger: backend.logger)
    }

    /// Events read and written at a time while catching up, so a long catch-up holds little memory.
    static let pageSize = 500

    var endpoints: RouteCollection<ShiplogRequestContext> {
        RouteCollection(context: ShiplogRequestContext.self).get(use: stream)
    }

    @Sendable func stream(_ request: Request, context: ShiplogRequestContext) async throws -> Response {
        try await backend.authorize(.read, context)
        let query = try QueryReader(request, allowed: ["after", "stream", "type"])
        let filter = EventFilter(stream: try query.name("stream"), type: try query.name("type"))
        let head = try backend.store.head()?.position ?? 0
        let after = try position(query.string("after"), named: "after", head: head)
        let lastEventID = try position(request.headers[.lastEventID], named: "Last-Event-ID", head: head)
        let start = lastEventID ?? after ?? head
        let store = backend.store, watcher = watcher, metrics = backend.metrics
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                metrics.streamOpened()
                defer { metrics.streamClosed() }
                try await Self.send(store: store, watcher: watcher, filter: filter, after: start, to: &writer)
            })
    }

    /// A position the stream may start after: 0 up to the head. One beyond the head comes from
    /// another ledger (or one that was replaced), and starting there would skip what is in between.
    private func position(_ text: String?, named name: String, head: Int64) throws -> Int64? {
        guard let text else { return nil }
        guard let position = Int64(text), position >= 0 else {
            throw HTTPError(.badRequest, message: "\(name) must be a position in the log (0 or more), not '\(text.prefix(80))'")
        }
        guard position <= head else {
            throw HTTPError(.badRequest, message: "\(name) \(position) is beyond the ledger's head (\(head)): it is not a position of this ledger")
        }
        return position
    }

    /// Writes what follows `start`, then each event as the ledger moves, until the client goes (a
    /// write fails) or the service shuts down gracefully, which ends the stream so that the server
    /// is not kept waiting for it.
    private static func send(
        store: EventStore, watcher: LedgerWatcher, filter: EventFilter, after start: Int64, to writer: inout any ResponseBodyWriter
    ) async throws {
        let subscription = watcher.subscribe()
        defer { subscription.end() }
        try await withGracefulShutdownHandler {
            // Subscribed first, then caught up: a move after this read wakes the loop below.
            var cursor = try store.head()?.position ?? start
            var lastWrite = ContinuousClock.now
            try await write(store, filter, after: start, through: cursor, to: &writer)
            for await wake in subscription.wakes {
                var written = 0
                if wake.head > cursor {
                    written = try await write(store, filter, after: cursor, through: wake.head, to: &writer)
                    cursor = wake.head
                }
                if written > 0 {
                    lastWrite = .now
                } else if wake.isQuiet || ContinuousClock.now - lastWrite >= watcher.keepAlive {
                    // Also when the ledger moves but nothing passes the filter: the stream is idle all the same.
                    try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    lastWrite = .now
                }
            }
        } onGracefulShutdown: {
            subscription.end()
        }
        try await writer.finish(nil)
    }

    /// Writes the events in (`after`, `through`] that pass `filter`, a page at a time; returns how many.
    @discardableResult
    private static func write(
        _ store: EventStore, _ filter: EventFilter, after: Int64, through: Int64, to writer: inout any ResponseBodyWriter
    ) async throws -> Int {
        var page = filter
        page.after = after
        page.through = through
        page.limit = pageSize
        var written = 0
        while page.after < through {
            let events = try store.events(page)
            guard let last = events.last else { break }
            var buffer = ByteBuffer()
            for event in events { buffer.writeString(frame(event)) }
            try await writer.write(buffer)
            written += events.count
            page.after = events.count < pageSize ? through : last.position
        }
        return written
    }

    /// One event as Server-Sent Events text. The JSON line has no line breaks unless data appended
    /// through the library kept them (JSON allows them between tokens); each line then gets its own
    /// `data:`, which the client joins back with a line feed.
    private static func frame(_ event: RecordedEvent) -> String {
        var text = "id: \(event.position)\nevent: \(event.type)\n"
        let lines = event.jsonLine().unicodeScalars.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r" }
        for line in lines { text += "data: " + Substring(line) + "\n" }
        return text + "\n"
    }
}

extension HTTPField.Name {
    static let lastEventID = HTTPField.Name("Last-Event-ID")!
}
