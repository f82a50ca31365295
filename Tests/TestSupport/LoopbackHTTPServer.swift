import Synchronization
import NIOCore
import NIOHTTP1
import NIOPosix

/// A request as the loopback server received it.
public struct ReceivedRequest: Sendable {
    public var method: HTTPMethod
    public var uri: String
    public var headers: HTTPHeaders
    public var body: String
}

/// What the loopback server answers to one request.
public struct CannedResponse: Sendable {
    public var status: HTTPResponseStatus
    public var headers: [(String, String)]
    public var body: String
    /// Announce more bytes than are sent, then close: a response cut off in transit.
    public var truncated: Bool
    /// Never answer, to exercise timeouts.
    public var hang: Bool

    public init(status: HTTPResponseStatus, headers: [(String, String)] = [], body: String = "", truncated: Bool = false, hang: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.truncated = truncated
        self.hang = hang
    }
}

/// A real HTTP/1.1 server on 127.0.0.1 and a free port, answering with a closure.
///
/// Tests use it to play the other side of a protocol (a token realm, a credentials endpoint,
/// a failing AWS endpoint) over a real socket; the client under test is the real one.
public final class LoopbackHTTPServer: Sendable {
    public let port: Int
    private let channel: any Channel
    private let hung: HungRequests

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// For each request answered with `hang`, how long its connection stayed open after the
    /// request ended, until the client closed it: a client's timeout as the server saw it, timed
    /// on the server's event loop (not on the cooperative pool a busy test suite can starve).
    public var hungRequestDurations: [Duration] { hung.durations.withLock { $0 } }

    private init(channel: any Channel, port: Int, hung: HungRequests) {
        self.channel = channel
        self.port = port
        self.hung = hung
    }

    public static func start(_ respond: @escaping @Sendable (ReceivedRequest) -> CannedResponse) async throws -> LoopbackHTTPServer {
        let hung = HungRequests()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Responder(respond: respond, hung: hung))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return LoopbackHTTPServer(channel: channel, port: channel.localAddress?.port ?? 0, hung: hung)
    }

    public func stop() async throws {
        try await channel.close()
    }
}

private final class Responder: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let respond: @Sendable (ReceivedRequest) -> CannedResponse
    private let hung: HungRequests
    private var head: HTTPRequestHead?
    private var body = ""
    private var hangingSince: ContinuousClock.Instant?

    init(respond: @escaping @Sendable (ReceivedRequest) -> CannedResponse, hung: HungRequests) {
        self.respond = respond
        self.hung = hung
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let hangingSince {
            let open = ContinuousClock.now - hangingSince
            hung.durations.withLock { $0.append(open) }
        }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = ""
        case .body(let buffer):
            body += String(buffer: buffer)
        case .end:
            guard let head else { return }
            let response = respond(ReceivedRequest(method: head.method, uri: head.uri, headers: head.headers, body: body))
            if response.hang {
                hangingSince = ContinuousClock.now
                return
            }
            let bytes = ByteBuffer(string: response.body)
            var headers = HTTPHeaders(response.headers)
            headers.replaceOrAdd(name: "Content-Length", value: String(bytes.readableBytes + (response.truncated ? 100 : 0)))
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: response.status, headers: headers))), promise: nil)
            if head.method != .HEAD {
                context.write(wrapOutboundOut(.body(.byteBuffer(bytes))), promise: nil)
            }
            if response.truncated {
                context.flush()
                context.close(promise: nil)
                return
            }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}

/// The durations ``LoopbackHTTPServer/hungRequestDurations`` reports.
private final class HungRequests: Sendable {
    let durations = Mutex<[Duration]>([])
}
