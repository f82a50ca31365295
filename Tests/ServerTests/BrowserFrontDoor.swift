import Hummingbird
import Ledger
import NIOCore
import Server

/// What stands between headless chromium and the service in the browser test.
///
/// Chromium cannot be handed a cookie on its command line, and the dashboard takes no token in
/// its URL (a token in a URL ends up in logs and history). So this front door sends every
/// request on with the session cookie a real `POST /login` set, as the browser would after
/// logging in; everything else is the real router on a real socket.
///
/// It also answers `/api/v1/events/stream` itself, with one Server-Sent Event of the real stream's
/// shape (`id: <position>`, `event: <type>`, `data: <event JSON>`) and a long `retry`, so the page's
/// script can be seen refreshing the page: chromium's `--virtual-time-budget` never runs out while
/// the real stream stays open. EventStreamTests hold the real stream to that shape, opened with
/// the same session cookie.
struct BrowserFrontDoor: HTTPResponder {
    typealias Context = ShiplogRequestContext

    static let streamPath = "/api/v1/events/stream"

    let router: RouterResponder<ShiplogRequestContext>
    /// `shiplog_token=...`, as `POST /login` set it.
    let cookie: String
    /// The event to stream to a page that connects; nil streams none.
    let nextEvent: @Sendable () async throws -> RecordedEvent?

    func respond(to request: Request, context: Context) async throws -> Response {
        if request.uri.path == Self.streamPath {
            var text = "retry: 600000\n\n"
            if let event = try await nextEvent() {
                text += "id: \(event.position)\nevent: \(event.type)\ndata: \(event.jsonLine())\n\n"
            }
            return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        var head = request.head
        head.headerFields[.cookie] = cookie
        return try await router.respond(to: Request(head: head, body: request.body), context: context)
    }
}
