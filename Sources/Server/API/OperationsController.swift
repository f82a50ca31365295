import Hummingbird
import Ledger
import Logging
import NIOCore
import Replication

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

    /// `ok` when alive; `ready` or `unavailable`, with the ledger's head when ready.
    struct Status: ResponseEncodable {
        var status: String
        var head: Int64?
        var replication: ReplicationHealth?
    }

    /// The replication's health, when the service replicates.
    struct ReplicationHealth: Codable {
        var leaseHeld: Bool
        var litestreamRunning: Bool
        var lagSeconds: Double

        enum CodingKeys: String, CodingKey {
            case leaseHeld = "lease_held"
            case litestreamRunning = "litestream_running"
            case lagSeconds = "lag_seconds"
        }

        init(_ status: Replicator.Status) {
            leaseHeld = status.leaseHeld
            litestreamRunning = status.litestreamRunning
            lagSeconds = status.lagSeconds
        }
    }

    /// Alive: the process answers.
    @Sendable func health(_ request: Request, context: ShiplogRequestContext) async throws -> Status {
        Status(status: "ok")
    }

    /// Ready: the ledger's file is there, writable, with room on its disk, and answers a read; its
    /// head is reported. A replicating service is ready only while it holds the replica's lease
    /// and Litestream runs.
    @Sendable func ready(_ request: Request, context: ShiplogRequestContext) async throws -> EditedResponse<Status> {
        let replication = backend.replicator?.status
        do {
            let head = try await backend.store.reading { store in
                try store.checkWritable()
                return try store.head()?.position ?? 0
            }
            if let replication, !replication.ready {
                return EditedResponse(status: .serviceUnavailable, response: Status(status: "unavailable", replication: ReplicationHealth(replication)))
            }
            return EditedResponse(response: Status(status: "ready", head: head, replication: replication.map(ReplicationHealth.init)))
        } catch {
            backend.logger.warning("not ready", metadata: ["error": "\(error)"])
            return EditedResponse(status: .serviceUnavailable, response: Status(status: "unavailable", replication: replication.map(ReplicationHealth.init)))
        }
    }

    @Sendable func metrics(_ request: Request, context: ShiplogRequestContext) async throws -> Response {
        let metrics = backend.metrics
        if let status = backend.replicator?.status { metrics.replication(status) }
        let text = try await backend.store.reading { try metrics.exposition(store: $0) }
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// The OpenAPI document; no token needed, so tools can read it before they have one.
    @Sendable func openAPI(_ request: Request, context: ShiplogRequestContext) async throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
    }
}
