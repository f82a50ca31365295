/// The parts of an HTTP request that SigV4 covers.
public struct SigV4Request: Sendable {
    public var method: String
    public var host: String
    /// The decoded path, such as `/` or `/ሴ`.
    public var path: String
    /// Decoded query pairs, in any order.
    public var query: [(String, String)]
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(
        method: String,
        host: String,
        path: String = "/",
        query: [(String, String)] = [],
        headers: [(String, String)] = [],
        body: [UInt8] = []
    ) {
        self.method = method
        self.host = host
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }
}
