import AWS
import Foundation
import NIOHTTP1
import Synchronization
import TestSupport
import Testing

struct AWSJSONClientTests {
    static let credentials = StaticCredentialProvider(AWSCredentials(accessKeyID: "AKIDTEST", secretAccessKey: "secret"))

    static func client(_ server: LoopbackHTTPServer, retry: RetryPolicy = .none, clock: ManualClock = ManualClock(), timeout: Duration = .seconds(5)) -> AWSJSONClient {
        AWSJSONClient(
            service: .ecs,
            configuration: AWSClientConfiguration(
                region: "us-east-1",
                endpoint: URL(string: server.baseURL),
                credentials: credentials,
                retry: retry,
                timeout: timeout,
                clock: clock
            )
        )
    }

    @Test func sendsASignedJSON11RequestAndDecodesTheAnswer() async throws {
        let seen = Mutex<[ReceivedRequest]>([])
        let server = try await LoopbackHTTPServer.start { request in
            seen.withLock { $0.append(request) }
            return CannedResponse(status: .ok, body: #"{"clusters":[{"clusterName":"staging-default"}],"failures":[]}"#)
        }
        defer { Task { try await server.stop() } }
        let output = try await Self.client(server).call("DescribeClusters", ["clusters": ["staging-default"]])
        #expect(output["clusters"]?.arrayValue?.first?["clusterName"]?.stringValue == "staging-default")

        let request = try #require(seen.withLock { $0.first })
        #expect(request.method == .POST)
        #expect(request.uri == "/")
        #expect(request.headers.first(name: "X-Amz-Target") == "AmazonEC2ContainerServiceV20141113.DescribeClusters")
        #expect(request.headers.first(name: "Content-Type") == "application/x-amz-json-1.1")
        let authorization = try #require(request.headers.first(name: "Authorization"))
        #expect(authorization.contains("/us-east-1/ecs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature="))
        #expect(try JSONValue(decoding: Data(request.body.utf8)) == ["clusters": ["staging-default"]])
    }

    @Test func anErrorBodyBecomesATypedErrorWithAWSsCodeAndMessage() async throws {
        let server = try await LoopbackHTTPServer.start { _ in
            CannedResponse(status: .badRequest, body: #"{"__type":"com.amazonaws.ecs#ClusterNotFoundException","message":"Cluster not found."}"#)
        }
        defer { Task { try await server.stop() } }
        let error = await #expect(throws: AWSError.self) {
            try await Self.client(server).call("DescribeServices", ["cluster": "nope", "services": ["x"]])
        }
        #expect(error?.kind == .service)
        #expect(error?.code == "ClusterNotFoundException")
        #expect(error?.message == "Cluster not found.")
        #expect(error?.operation == "ecs:DescribeServices")
        #expect(error?.statusCode == 400)
    }

    @Test func readsTheCapitalisedMessageField() async throws {
        let server = try await LoopbackHTTPServer.start { _ in
            CannedResponse(status: .badRequest, body: #"{"__type":"InvalidParameterException","Message":"Invalid revision number."}"#)
        }
        defer { Task { try await server.stop() } }
        let error = await #expect(throws: AWSError.self) { try await Self.client(server).call("DescribeTaskDefinition") }
        #expect(error?.code == "InvalidParameterException")
        #expect(error?.message == "Invalid revision number.")
    }

    @Test func retriesA5xxThenSucceeds() async throws {
        let count = Mutex(0)
        let server = try await LoopbackHTTPServer.start { _ in
            let attempt = count.withLock { $0 += 1; return $0 }
            if attempt == 1 {
                return CannedResponse(status: .serviceUnavailable, body: #"{"__type":"ServerException","message":"Service Unavailable"}"#)
            }
            return CannedResponse(status: .ok, body: #"{"ok":true}"#)
        }
        defer { Task { try await server.stop() } }
        let clock = ManualClock()
        let output = try await Self.client(server, retry: RetryPolicy(maxAttempts: 3), clock: clock).call("ListClusters")
        #expect(output["ok"]?.boolValue == true)
        #expect(count.withLock { $0 } == 2)
        #expect(clock.sleeps.count == 1)
    }

    @Test func givesUpOnPersistentThrottlingAfterTheAttemptBound() async throws {
        let count = Mutex(0)
        let server = try await LoopbackHTTPServer.start { _ in
            count.withLock { $0 += 1 }
            return CannedResponse(status: .badRequest, body: #"{"__type":"ThrottlingException","message":"Rate exceeded"}"#)
        }
        defer { Task { try await server.stop() } }
        let error = await #expect(throws: AWSError.self) {
            try await Self.client(server, retry: RetryPolicy(maxAttempts: 3)).call("UpdateService")
        }
        #expect(error?.kind == .throttling)
        #expect(error?.code == "ThrottlingException")
        #expect(count.withLock { $0 } == 3)
    }

    @Test func truncatedJSONIsAMalformedResponseNamingTheOperation() async throws {
        let server = try await LoopbackHTTPServer.start { _ in
            CannedResponse(status: .ok, body: #"{"services":[{"serviceName":"staging-api","#)
        }
        defer { Task { try await server.stop() } }
        let error = await #expect(throws: AWSError.self) { try await Self.client(server).call("DescribeServices") }
        #expect(error?.kind == .malformedResponse)
        #expect(error?.operation == "ecs:DescribeServices")
        #expect(error?.description.contains("not valid JSON") == true)
    }

    @Test func aBodyCutOffInTransitIsATransportError() async throws {
        let server = try await LoopbackHTTPServer.start { _ in
            CannedResponse(status: .ok, body: #"{"services":["#, truncated: true)
        }
        defer { Task { try await server.stop() } }
        let error = await #expect(throws: AWSError.self) { try await Self.client(server).call("DescribeServices") }
        #expect(error?.kind == .transport)
        #expect(error?.description.contains(server.baseURL) == true)
    }

    @Test func anEndpointThatNeverAnswersTimesOut() async throws {
        let server = try await LoopbackHTTPServer.start { _ in CannedResponse(status: .ok, hang: true) }
        defer { Task { try await server.stop() } }
        let error = await #expect(throws: AWSError.self) {
            try await Self.client(server, timeout: .milliseconds(300)).call("DescribeServices")
        }
        #expect(error?.kind == .timeout)
        #expect(error?.description.contains("ecs:DescribeServices") == true)
        // The 300 ms bound was kept, not the client's default (30 s): the client closed each hung
        // connection soon after, as timed on the server's event loop. The close is the idle-read
        // timer of the client's connection (`HTTPClient.aws(timeout:)`), on its event loop too, so
        // the margin is for two loaded cores, not for this task's own clock, which beside the whole
        // suite has been resumed 36 s late.
        let deadline = ContinuousClock.now + .seconds(30)
        while server.hungRequestDurations.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let open = server.hungRequestDurations
        #expect(!open.isEmpty, "the client's attempts reached the server and were given up")
        #expect(open.allSatisfy { $0 < .seconds(20) }, "\(open)")
    }

    @Test func endpointOverrideAndRegionComeFromTheEnvironment() throws {
        let configuration = try AWSClientConfiguration.fromEnvironment(
            service: .ecr,
            environment: ["AWS_REGION": "eu-central-1", "AWS_ENDPOINT_URL_ECR": "http://127.0.0.1:4566", "AWS_ENDPOINT_URL": "http://other"]
        )
        #expect(configuration.region == "eu-central-1")
        #expect(configuration.endpoint(for: .ecr).absoluteString == "http://127.0.0.1:4566")
        let standard = try AWSClientConfiguration.fromEnvironment(service: .ecs, environment: ["AWS_DEFAULT_REGION": "us-west-2"])
        #expect(standard.endpoint(for: .ecs).absoluteString == "https://ecs.us-west-2.amazonaws.com")
        #expect(standard.endpoint(for: .ecr).absoluteString == "https://api.ecr.us-west-2.amazonaws.com")
    }

    /// The one reading of the endpoint variables, for the clients' configuration and the DynamoDB lease alike.
    @Test func aServicesEndpointVariableComesBeforeTheGeneralOneAndMustBeAnHTTPURL() throws {
        let both = ["AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:8000", "AWS_ENDPOINT_URL": "http://127.0.0.1:5000"]
        #expect(try AWSClientConfiguration.endpoint(for: .dynamoDB, environment: both)?.absoluteString == "http://127.0.0.1:8000")
        #expect(try AWSClientConfiguration.endpoint(for: .ecs, environment: both)?.absoluteString == "http://127.0.0.1:5000")
        #expect(try AWSClientConfiguration.endpoint(for: .ecs, environment: [:]) == nil)
        for text in ["dynamo", "ftp://127.0.0.1:8000", "http://"] {
            let error = #expect(throws: AWSError.self) {
                try AWSClientConfiguration.endpoint(for: .dynamoDB, environment: ["AWS_ENDPOINT_URL_DYNAMODB": text])
            }
            #expect(error?.message == "AWS_ENDPOINT_URL_DYNAMODB must be an http or https URL, not '\(text)'")
            #expect(throws: AWSError.self) {
                try AWSClientConfiguration.fromEnvironment(service: .dynamoDB, environment: ["AWS_REGION": "eu-west-1", "AWS_ENDPOINT_URL": text])
            }
        }
    }
}
