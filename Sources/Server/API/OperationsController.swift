import Hummingbird
import Ledger
import Logging
import NIOCore

/// What operators and their tools ask of the service: is it alive, is it ready, its metrics, and
/// the description of its API.
struct OperationsController {
    let backend: Backend

    func addRoutes(to router: Router<ShiplogRequestContext>) {
        router.get("healthz", use: health)
        router.get("readyz", use: ready)
        router.get("metrics", use: metrics)
        router.get("openapi.json", use: openAPI)
    }

    /// Alive: the process answers.
    @Sendable func health(_ request: Request, context: ShiplogRequestContext) async throws -> Response {
        JSONBody.object(["status": "\"ok\""])
    }

    /// Ready: the ledger's file is there, writable, with room on its disk, and answers a read; its
    /// head is reported.
    @Sendable func ready(_ request: Request, context: ShiplogRequestContext) async throws -> Response {
        do {
            try backend.store.checkWritable()
            let head = try backend.store.head()?.position ?? 0
            return JSONBody.object(["status": "\"ready\"", "head": String(head)])
        } catch {
            backend.logger.warning("not ready", metadata: ["error": "\(error)"])
            return JSONBody.object(["status": "\"unavailable\""], status: .serviceUnavailable)
        }
    }

    @Sendable func metrics(_ request: Request, context: ShiplogRequestContext) async throws -> Response {
        let text = try backend.metrics.exposition(store: backend.store)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// The OpenAPI document; no token needed, so tools can read it before they have one.
    @Sendable func openAPI(_ request: Request, context: ShiplogRequestContext) async throws -> Response {
        JSONBody.response(OpenAPIDocument.json)
    }
}
