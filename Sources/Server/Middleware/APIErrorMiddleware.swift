import Access
import Deploy
import Hummingbird
import Ledger
import Logging
import NIOHTTP1
import Reports

/// Turns every error into a JSON body, `{"error": {"message": "..."}}`, with the status that
/// fits it: refusals of the ledger and the engine become 4xx; a ledger that is locked elsewhere
/// or out of disk a 503 with `Retry-After`; anything unexpected a 500 that is logged but says
/// nothing of the inside.
struct APIErrorMiddleware: RouterMiddleware {
    typealias Context = ShiplogRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            guard error.body == nil else { throw error }
            throw HTTPError(error.status, headers: error.headers, message: Self.defaultMessage(error.status, request))
        } catch let error as any HTTPResponseError {
            throw HTTPError(error.status, message: Self.defaultMessage(error.status, request))
        } catch let error as HTTPParserError {
            // The body broke off mid-request (a malformed chunk): the client's fault, not ours.
            throw HTTPError(.badRequest, headers: [.connection: "close"], message: "the request is not valid HTTP/1.1 (\(error))")
        } catch {
            throw Self.httpError(for: error, context: context)
        }
    }

    static func httpError(for error: any Error, context: Context) -> HTTPError {
        switch error {
        case let error as DeployError:
            let status: HTTPResponse.Status = switch error.code {
            case .accessDenied: .forbidden
            case .busy, .stillRunning, .superseded, .waitTimedOut, .frozen, .gatesNotPassed: .conflict
            case .unknownApp, .unknownEnvironment, .tagNotFound, .notFound: .notFound
            case .badRequest, .missingVariable: .badRequest
            case .crashed: .internalServerError
            }
            if status == .internalServerError { context.logger.error("deploy failed", metadata: ["error": "\(error)"]) }
            return HTTPError(status, message: error.message)
        case let error as LedgerError:
            switch error.code {
            case .wrongExpectedVersion, .idempotencyConflict: return HTTPError(.conflict, message: error.message)
            case .invalidEvent, .unknownEventType: return HTTPError(.badRequest, message: error.message)
            case .fenced: return HTTPError(.serviceUnavailable, message: error.message)
            default: break
            }
            if let code = error.storageCode, let seconds = Self.retryAfterSeconds(code) {
                context.logger.warning("ledger unavailable", metadata: ["error": "\(error)", "ledger.storage_code": "\(code)"])
                return HTTPError(
                    .serviceUnavailable, headers: [.retryAfter: String(seconds)],
                    message: "the ledger is unavailable for now (\(code)); try again in \(seconds) s")
            }
            context.logger.error("ledger failed", metadata: ["error": "\(error)"])
            return HTTPError(.internalServerError, message: "the ledger could not complete the request; see the service's log")
        case let error as TokenError:
            let status: HTTPResponse.Status = switch error.code {
            case .notFound: .notFound
            case .conflict: .conflict
            case .badRequest: .badRequest
            }
            return HTTPError(status, message: error.message)
        case let error as ConfigurationError:
            return HTTPError(.badRequest, message: error.message)
        case let error as ReportError:
            return HTTPError(.badRequest, message: error.message)
        case let error as TransparencyError where [.outOfRange, .malformed].contains(error.code):
            // A tree size or position the log does not have, asked for by the client.
            return HTTPError(.badRequest, message: error.message)
        default:
            context.logger.error("request failed", metadata: ["error": "\(error)"])
            return HTTPError(.internalServerError, message: "internal error; see the service's log")
        }
    }

    /// How long a client should wait before retrying after a storage failure that clears without
    /// a change to shiplog, or nil for one that does not (a 500): a lock held elsewhere clears
    /// within a busy timeout or two; a full, read-only, failing or missing disk waits for an operator.
    static func retryAfterSeconds(_ code: LedgerError.StorageCode) -> Int? {
        switch code {
        case .busy: 1
        case .full, .ioError, .readOnly, .cantOpen: 30
        default: nil
        }
    }

    private static func defaultMessage(_ status: HTTPResponse.Status, _ request: Request) -> String {
        switch status {
        case .notFound: "no such resource: \(request.method.rawValue) \(request.uri.path)"
        case .contentTooLarge: "the body is larger than the limit of 1 MiB"
        default: status.reasonPhrase
        }
    }
}
