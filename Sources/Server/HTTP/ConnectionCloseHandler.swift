import NIOCore
import NIOHTTP1

/// Closes a connection after the response to a request that does not keep it alive.
///
/// Hummingbird ends a connection only after a request whose `Connection` header is exactly
/// `close`, and answers in HTTP/1.1 whatever was asked, so an HTTP/1.0 client's connection stayed
/// open until the idle timeout. Here, below the conversion to HTTP types (which drops the
/// version), a request that does not keep alive — any HTTP/1.0 request (its `keep-alive`
/// extension, RFC 9112 appendix C.2.2, is not offered), or `Connection: close` in any spelling —
/// is passed on as `Connection: close`, and its response says so in the request's version: an
/// HTTP/1.0 response is never chunked but ends with the connection.
final class ConnectionCloseHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// The version of each request read and not answered yet, and whether it closes the connection.
    private var pending: [(version: HTTPVersion, closes: Bool)] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        let closes = head.version != .http1_1 || !head.isKeepAlive
        pending.append((head.version, closes))
        if closes { head.headers.replaceOrAdd(name: "connection", value: "close") }
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .head(var head) = unwrapOutboundIn(data), !head.status.isInformational, !pending.isEmpty else {
            context.write(data, promise: promise)
            return
        }
        let request = pending.removeFirst()
        if request.version == .http1_0 { head.version = .http1_0 }
        if request.closes { head.headers.replaceOrAdd(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(head)), promise: promise)
    }
}

extension HTTPResponseStatus {
    fileprivate var isInformational: Bool { (100..<200).contains(code) }
}
