import Hummingbird
import Replication

/// Refuses every request that could append (anything but GET and HEAD) with 503 once this
/// process has lost the replica's lease: another writer may be appending to the replica, and
/// two writers would fork the log. Reads still answer from what this process holds. The store
/// itself is fenced too (`EventStore.fenceWrites`), for the writers that are not requests.
struct LeaseFenceMiddleware: RouterMiddleware {
    typealias Context = ShiplogRequestContext
    let replicator: Replicator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method != .get, request.method != .head, !replicator.mayWrite else {
            return try await next(request, context)
        }
        throw HTTPError(.serviceUnavailable, message: replicator.lostLeaseMessage)
    }
}
