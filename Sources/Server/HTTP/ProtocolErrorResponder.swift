import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Answers a request the HTTP parser refuses — headers over the limit, a malformed request line,
/// a method or target HTTP types cannot hold — with the API's JSON error body, then closes.
///
/// Those fail before any route: left alone, Hummingbird answers a parser error with an empty 400
/// and drops the others without a word. Headers over the limit get 431 (RFC 6585, 5). An error
/// in the middle of a request (a broken chunked body) goes on to the handler reading it.
final class ProtocolErrorResponder: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// How long the connection stays open, its output closed, to read what the client still
    /// sends: closing a socket with unread input resets it, and the client may lose the answer.
    static let linger = TimeAmount.seconds(2)

    /// Requests whose head was read and whose response has not ended.
    private var unanswered = 0
    /// Set once the refusal is written; what arrives after it is dropped.
    private var answered = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        if case .head = unwrapInboundIn(data) { unanswered += 1 }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { unanswered -= 1 }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let status: HTTPResponse.Status
        switch error {
        case HTTPParserError.headerOverflow: status = .requestHeaderFieldsTooLarge
        case is HTTPParserError, is HTTP1TypeConversionError: status = .badRequest
        default:
            context.fireErrorCaught(error)
            return
        }
        guard unanswered == 0 else {
            context.fireErrorCaught(error)
            return
        }
        // The decoder reports one error and then ignores the connection's input; answer once.
        guard !answered else { return }
        answered = true
        let message = status == .requestHeaderFieldsTooLarge
            ? "the request's headers are over the limit of 80 KiB or 1,000 fields"
            : "the request is not valid HTTP/1.1 (\(error))"
        let body = ByteBuffer(bytes: Self.errorBody(message))
        let head = HTTPResponse(status: status, headerFields: [
            .contentType: "application/json; charset=utf-8", .contentLength: String(body.readableBytes), .connection: "close",
        ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let eventLoop = context.eventLoop.assumeIsolated()
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(mode: .output, promise: nil)
            eventLoop.scheduleTask(in: Self.linger) { context.close(promise: nil) }
        }
    }

    /// `{"error": {"message": ...}}`, as `HTTPError` writes it.
    private static func errorBody(_ message: String) -> Data {
        (try? JSONEncoder().encode(["error": ["message": message]])) ?? Data()
    }
}
