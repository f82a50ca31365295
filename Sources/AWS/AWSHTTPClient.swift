import AsyncHTTPClient
import NIOCore
import Synchronization

extension HTTPClient {
    /// The process-wide client for AWS calls that wait at most `timeout` for an answer.
    ///
    /// Its connections give up a response that sends nothing for `timeout`, timed by the
    /// connection's own event loop. A call's deadline alone is not enough: AsyncHTTPClient carries
    /// it out through an actor on Swift's cooperative pool, so while that pool is busy a hung
    /// connection stays open, and the call waits, past the deadline. Like ``HTTPClient/shared``,
    /// these clients live as long as the process: one per distinct timeout.
    public static func aws(timeout: Duration) -> HTTPClient {
        awsClients.withLock { clients in
            if let client = clients[timeout] { return client }
            var configuration = HTTPClient.Configuration.singletonConfiguration
            configuration.timeout.read = TimeAmount(timeout)
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[timeout] = client
            return client
        }
    }
}

private let awsClients = Mutex<[Duration: HTTPClient]>([:])
