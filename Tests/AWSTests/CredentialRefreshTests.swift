import AWS
import Foundation
import NIOHTTP1
import Synchronization
import TestSupport
import Testing

/// Credentials expire while shiplog runs (a task role's every few hours, a rotated profile at any
/// time): they are read again before they expire, and after AWS answers that they have.
struct CredentialRefreshTests {
    /// How many credentials an endpoint handed out.
    final class Served: Sendable {
        let count = Mutex(0)
        func next() -> Int { count.withLock { $0 += 1; return $0 } }
        var total: Int { count.withLock { $0 } }
    }

    /// A container credentials endpoint that hands out `ASIA1`, `ASIA2`, ... each valid until `expiry`.
    static func containerEndpoint(expiry: String) async throws -> (LoopbackHTTPServer, Served) {
        let served = Served()
        let server = try await LoopbackHTTPServer.start { _ in
            let n = served.next()
            return CannedResponse(
                status: .ok, headers: [("Content-Type", "application/json")],
                body: #"{"AccessKeyId":"ASIA\#(n)","SecretAccessKey":"secret-\#(n)","Token":"token-\#(n)","Expiration":"\#(expiry)"}"#)
        }
        return (server, served)
    }

    @Test func taskRoleCredentialsAreReadAgainFiveMinutesBeforeTheyExpire() async throws {
        let clock = ManualClock()
        // Each set of credentials is valid for ten minutes from the clock's start.
        let start = clock.now
        let (server, served) = try await Self.containerEndpoint(expiry: ISO8601DateFormatter().string(from: start.addingTimeInterval(600)))
        defer { Task { try await server.stop() } }
        let chain = CredentialProviderChain(
            [ContainerCredentialProvider(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "\(server.baseURL)/creds"])], clock: clock)

        #expect(try await chain.credentials()?.accessKeyID == "ASIA1")
        try await clock.sleep(for: .seconds(240))
        // Six minutes left: still good, not fetched again.
        #expect(try await chain.credentials()?.accessKeyID == "ASIA1")
        #expect(served.total == 1)
        try await clock.sleep(for: .seconds(120))
        // Four minutes left: read again before they lapse.
        #expect(try await chain.credentials()?.accessKeyID == "ASIA2")
        #expect(served.total == 2)
    }

    @Test func anExpiredTokenAnswerMakesTheClientReadTheProfileAgainAndAskOnceMore() async throws {
        let file = try TemporaryFile(contents: """
            [default]
            aws_access_key_id = AKIDOLD
            aws_secret_access_key = secret-old
            """)
        let seenKeys = Mutex<[String]>([])
        // AWS refuses the old key as expired and accepts the rotated one.
        let server = try await LoopbackHTTPServer.start { request in
            let authorization = request.headers.first(name: "Authorization") ?? ""
            let key = authorization.split(separator: "Credential=").last?.split(separator: "/").first.map(String.init) ?? ""
            seenKeys.withLock { $0.append(key) }
            if key == "AKIDOLD" {
                return CannedResponse(status: .badRequest, headers: [("Content-Type", "application/x-amz-json-1.1")],
                                      body: #"{"__type":"com.amazon.coral.service#ExpiredTokenException","message":"The security token included in the request is expired"}"#)
            }
            return CannedResponse(status: .ok, headers: [("Content-Type", "application/x-amz-json-1.1")], body: #"{"clusters":[],"failures":[]}"#)
        }
        defer { Task { try await server.stop() } }
        let chain = CredentialProviderChain([SharedCredentialsFileProvider(environment: ["AWS_SHARED_CREDENTIALS_FILE": file.path])])
        let client = AWSJSONClient(service: .ecs, configuration: AWSClientConfiguration(
            region: "us-east-1", endpoint: URL(string: server.baseURL), credentials: chain, retry: .none, clock: ManualClock()))

        // The first answer from the cached key is a success only once the profile holds a new one.
        _ = try await chain.credentials()
        try Data("""
            [default]
            aws_access_key_id = AKIDNEW
            aws_secret_access_key = secret-new
            """.utf8).write(to: URL(fileURLWithPath: file.path))
        let output = try await client.call("DescribeClusters", ["clusters": ["staging-default"]])
        #expect(output["failures"]?.arrayValue?.isEmpty == true)
        #expect(seenKeys.withLock { $0 } == ["AKIDOLD", "AKIDNEW"])
    }

    @Test func aSecondExpiredAnswerIsTheAnswerAndCountsAsAnAuthFailure() async throws {
        let calls = Mutex(0)
        let server = try await LoopbackHTTPServer.start { _ in
            calls.withLock { $0 += 1 }
            return CannedResponse(status: .badRequest, headers: [("Content-Type", "application/x-amz-json-1.1")],
                                  body: #"{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}"#)
        }
        defer { Task { try await server.stop() } }
        let client = AWSJSONClient(service: .ecs, configuration: AWSClientConfiguration(
            region: "us-east-1", endpoint: URL(string: server.baseURL),
            credentials: StaticCredentialProvider(AWSCredentials(accessKeyID: "AKIDTEST", secretAccessKey: "secret")),
            retry: .none, clock: ManualClock()))
        let error = await #expect(throws: AWSError.self) { try await client.call("DescribeClusters", [:]) }
        #expect(error?.code == "ExpiredTokenException")
        #expect(error?.isExpiredCredentials == true)
        #expect(error?.isAuthFailure == true)
        #expect(error?.isRetryable == false)
        #expect(calls.withLock { $0 } == 2)
    }
}
