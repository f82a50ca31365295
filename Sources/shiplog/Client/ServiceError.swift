/// What went wrong talking to a shiplog service, as one line.
enum ServiceError: Error, CustomStringConvertible {
    /// The service could not be reached, or said it is unavailable for now (503): nothing is known
    /// to have been written, and the same request may be sent again.
    case unreachable(String)
    /// The service answered with a refusal of its own (`{"error": {"message": ...}}`).
    case refused(status: Int, message: String)
    /// Whatever answered is not a shiplog service.
    case notShiplog(String)
    /// A URL or credential the CLI cannot use, found before anything is sent.
    case invalid(String)

    var description: String {
        switch self {
        // A refusal reads as the local command's own, which says the same.
        case .unreachable(let message), .notShiplog(let message), .invalid(let message), .refused(_, let message): message
        }
    }

    var isUnreachable: Bool {
        if case .unreachable = self { return true }
        return false
    }
}
