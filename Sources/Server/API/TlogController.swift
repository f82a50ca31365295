import Hummingbird
import Ledger
import NIOCore

/// The log as C2SP tlog-tiles (https://c2sp.org/tlog-tiles), for any transparency-log client to
/// follow and verify without shiplog's code: the latest signed checkpoint, hash tiles and entry
/// bundles (each entry an event's hash). No token: these are hashes, not the events' contents.
struct TlogController {
    let backend: Backend

    /// Full tiles never change; a partial tile and the checkpoint are superseded as the log grows.
    static let immutable = "public, max-age=31536000, immutable"
    static let shortLived = "no-cache"

    var endpoints: RouteCollection<ShiplogRequestContext> {
        RouteCollection(context: ShiplogRequestContext.self)
            .get("checkpoint", use: checkpoint)
            .get("tile/entries/**", use: tile)
            .get("tile/:level/**", use: tile)
    }

    /// The most recently signed checkpoint, as stored: serving it writes nothing.
    @Sendable func checkpoint(_ request: Request, context: ShiplogRequestContext) async throws -> Response {
        _ = try QueryReader(request, allowed: [])
        guard let note = try await backend.store.reading({ try $0.latestCheckpoint() }) else {
            throw HTTPError(.notFound, message: "no checkpoint has been signed yet (shiplog serve --signing-key signs one as the log grows)")
        }
        return Response(
            status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: Self.shortLived],
            body: ResponseBody(byteBuffer: ByteBuffer(string: note)))
    }

    /// `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`: a malformed path is a 400, a tile
    /// the log does not hold (yet) a 404.
    @Sendable func tile(_ request: Request, context: ShiplogRequestContext) async throws -> Response {
        _ = try QueryReader(request, allowed: [])
        let path = request.uri.path.drop { $0 == "/" }.dropFirst("tlog/".count)
        let tile: TlogTile
        let data: [UInt8]
        do {
            tile = try TlogTile(path: String(path))
            data = try await backend.store.reading { try $0.tileData(tile) }
        } catch let error as TransparencyError where error.code == .malformed {
            throw HTTPError(.badRequest, message: error.message)
        } catch let error as TransparencyError where error.code == .outOfRange {
            throw HTTPError(.notFound, message: error.message)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "application/octet-stream", .cacheControl: tile.isFull ? Self.immutable : Self.shortLived],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
