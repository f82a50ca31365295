import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Hummingbird's HTTP/1.1 child channel with what a service on an open port needs on top: a
/// connection that does not keep alive (HTTP/1.0, `Connection: close`) is closed after its
/// response, and a request the parser refuses gets the API's JSON error body.
///
/// The pipeline is `HTTP1Channel`'s (2.28.1) with ``ConnectionCloseHandler`` before the
/// conversion to HTTP types, which drops the version, and ``ProtocolErrorResponder`` after it.
struct ShiplogHTTP1Channel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let responder: HTTPChannelHandler.Responder
    /// How long a connection may go without a complete request head (or body part) before it is
    /// closed; see ``ServerSettings/idleTimeout``.
    let idleTimeout: Duration

    /// The most a request head may carry: Hummingbird's limits (80 KiB, 1,000 fields).
    static let headerLimits: NIOHTTPDecoderLimitConfiguration = {
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderFieldSize = 80 * 1024
        limits.maxHeaderListSize = 80 * 1024
        limits.maxHeaderFieldCount = 1000
        return limits
    }()

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let pipeline = channel.pipeline.syncOperations
            try pipeline.configureHTTPServerPipeline(
                withPipeliningAssistance: false,  // NIOAsyncChannel reads one request at a time
                withErrorHandling: false,  // ProtocolErrorResponder answers instead
                withOutboundHeaderValidation: false,  // HTTP types validate them
                withEncoderConfiguration: .init(),
                withDecoderLimitConfiguration: Self.headerLimits)
            try pipeline.addHandler(ConnectionCloseHandler())
            try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            try pipeline.addHandler(ProtocolErrorResponder())
            try pipeline.addHandler(HTTPConnectionStateHandler(idleTimeout: idleTimeout, logger: logger))
            return try NIOAsyncChannel(wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
        }
    }

    func handle(value asyncChannel: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: asyncChannel, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// The server `shiplog serve` runs: HTTP/1.1 over ``ShiplogHTTP1Channel``.
    ///
    /// ```swift
    /// Application(router: router, server: .shiplog(idleTimeout: .seconds(30)))
    /// ```
    public static func shiplog(idleTimeout: Duration) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in ShiplogHTTP1Channel(responder: responder, idleTimeout: idleTimeout) }
    }
}
