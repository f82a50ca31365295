import NIOCore
import NIOHTTP1
import NIOPosix

/// A request as the loopback server received it.
struct ReceivedRequest: Sendable {
    var method: HTTPMethod
    var uri: String
    var headers: HTTPHeaders
    var body: String
}

/// What the loopback server answers to one request.
struct CannedResponse: Sendable {
    var status: HTTPResponseStatus
    var headers: [(String, String)] = []
    var body: String = ""
    /// Announce more bytes than are sent, then close: a response cut off in transit.
    var truncated = false
    /// Never answer, to exercise timeouts.
    var hang = false
}

/// A real HTTP/1.1 server on 127.0.0.1 and a free port, answering with a closure.
///
/// Tests use it to play the other side of a protocol (a token realm, a credentials endpoint,
/// a failing AWS endpoint) over a real socket; the client under test is the real one.
final class LoopbackHTTPServer: Sendable {
    let port: Int
    private let channel: any Channel

    var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(channel: any Channel, port: Int) {
        self.channel = channel
        self.port = port
    }

    static func start(_ respond: @escaping @Sendable (ReceivedRequest) -> CannedResponse) async throws -> LoopbackHTTPServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Responder(respond: respond))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return LoopbackHTTPServer(channel: channel, port: channel.localAddress?.port ?? 0)
    }

    func stop() async throws {
        try await channel.close()
    }
}

private final class Responder: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let respond: @Sendable (ReceivedRequest) -> CannedResponse
    private var head: HTTPRequestHead?
    private var body = ""

    init(respond: @escaping @Sendable (ReceivedRequest) -> CannedResponse) {
        self.respond = respond
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
            if response.hang { return }
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
