import HTTPTypes
import Hummingbird

/// Turns the router's 404 for a path the service has, asked with a method it does not take, into
/// a 405 with an `Allow` header naming the methods it does take (RFC 9110, 15.5.6).
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = ShiplogRequestContext

    /// Each route's path, split into its elements, and its method.
    private let routes: [(elements: [RouterPath.Element], method: HTTPRequest.Method)]

    init(routes: [Router<ShiplogRequestContext>.RouteDescription]) {
        self.routes = routes.map { ($0.path.components, $0.method) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && [nil, "NotFound"].contains(context.endpointPath) {
            // The router marks a request no route took as "NotFound"; a handler's own 404 has its route.
            let allowed = methods(for: request.uri.path).filter { $0 != request.method }
            guard !allowed.isEmpty else { throw error }
            let names = allowed.map(\.rawValue).sorted()
            throw HTTPError(.methodNotAllowed, headers: [.allow: names.joined(separator: ", ")],
                            message: "\(request.method.rawValue) is not allowed on \(request.uri.path) (allowed: \(names.joined(separator: ", ")))")
        }
    }

    /// The methods of every route whose path matches `path`.
    private func methods(for path: String) -> Set<HTTPRequest.Method> {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        var methods: Set<HTTPRequest.Method> = []
        for route in routes where route.elements.count == parts.count {
            if zip(route.elements, parts).allSatisfy({ element, part in element ~= part }) { methods.insert(route.method) }
        }
        return methods
    }
}
