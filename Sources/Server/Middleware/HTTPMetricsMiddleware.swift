import Dispatch
import Hummingbird

/// Counts and times every request by method, route pattern and status.
struct HTTPMetricsMiddleware: RouterMiddleware {
    typealias Context = ShiplogRequestContext

    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        do {
            let response = try await next(request, context)
            record(request, context, status: response.status.code, start: start)
            return response
        } catch let error as any HTTPResponseError {
            record(request, context, status: error.status.code, start: start)
            throw error
        } catch {
            record(request, context, status: 500, start: start)
            throw error
        }
    }

    private func record(_ request: Request, _ context: Context, status: Int, start: UInt64) {
        // Unmatched paths share one label, so scanning for URLs cannot grow the metrics without bound.
        let route = context.endpointPath ?? "unmatched"
        metrics.request(method: request.method.rawValue, route: route, status: status, nanoseconds: DispatchTime.now().uptimeNanoseconds - start)
    }
}
