import AWS
import Foundation
import NIOHTTP1
import Synchronization
import TestSupport
import Testing

struct CredentialProviderTests {
    @Test func environmentProviderReadsKeysAndSessionToken() async throws {
        let provider = EnvironmentCredentialProvider(environment: [
            "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "secret-env", "AWS_SESSION_TOKEN": "token-env",
        ])
        let credentials = try await provider.credentials()
        #expect(credentials == AWSCredentials(accessKeyID: "AKIDENV", secretAccessKey: "secret-env", sessionToken: "token-env"))
    }

    @Test func environmentProviderSkipsWhenUnsetAndRefusesAHalfSet() async throws {
        #expect(try await EnvironmentCredentialProvider(environment: [:]).credentials() == nil)
        await #expect(throws: AWSError.self) {
            try await EnvironmentCredentialProvider(environment: ["AWS_ACCESS_KEY_ID": "AKID"]).credentials()
        }
    }

    @Test func sharedFileProviderReadsTheProfileNamedByAWSProfile() async throws {
        let file = try TemporaryFile(contents: """
            [default]
            aws_access_key_id = AKIDDEFAULT
            aws_secret_access_key = secret-default

            # staging role
            [staging]
            aws_access_key_id=AKIDSTAGING
            aws_secret_access_key=secret-staging
            aws_session_token = token-staging
            """)
        let staging = SharedCredentialsFileProvider(environment: ["AWS_SHARED_CREDENTIALS_FILE": file.path, "AWS_PROFILE": "staging"])
        #expect(
            try await staging.credentials()
                == AWSCredentials(accessKeyID: "AKIDSTAGING", secretAccessKey: "secret-staging", sessionToken: "token-staging")
        )
        let fallback = SharedCredentialsFileProvider(environment: ["AWS_SHARED_CREDENTIALS_FILE": file.path])
        #expect(try await fallback.credentials()?.accessKeyID == "AKIDDEFAULT")
    }

    @Test func sharedFileProviderNamesAMissingProfile() async throws {
        let file = try TemporaryFile(contents: "[default]\naws_access_key_id = A\naws_secret_access_key = B\n")
        let provider = SharedCredentialsFileProvider(environment: ["AWS_SHARED_CREDENTIALS_FILE": file.path, "AWS_PROFILE": "production"])
        let error = await #expect(throws: AWSError.self) { try await provider.credentials() }
        #expect(error?.kind == .credentials)
        #expect(error?.message.contains("profile production not found") == true)
    }

    @Test func chainPrefersEnvironmentOverTheSharedFile() async throws {
        let file = try TemporaryFile(contents: "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = secret-file\n")
        let withEnvironment = CredentialProviderChain.standard(environment: [
            "AWS_SHARED_CREDENTIALS_FILE": file.path, "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "secret-env",
        ])
        #expect(try await withEnvironment.credentials()?.accessKeyID == "AKIDENV")
        let fileOnly = CredentialProviderChain.standard(environment: ["AWS_SHARED_CREDENTIALS_FILE": file.path])
        #expect(try await fileOnly.credentials()?.accessKeyID == "AKIDFILE")
    }

    @Test func chainWithNoSourceSaysWhatToSet() async throws {
        let chain = CredentialProviderChain.standard(environment: ["AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials", "HOME": "/nonexistent"])
        let error = await #expect(throws: AWSError.self) { try await chain.credentials() }
        #expect(error?.message.contains("AWS_ACCESS_KEY_ID") == true)
    }

    @Test func containerProviderFetchesFromTheFullURIWithTheAuthorizationToken() async throws {
        let seen = Mutex<[ReceivedRequest]>([])
        let server = try await LoopbackHTTPServer.start { request in
            seen.withLock { $0.append(request) }
            return CannedResponse(
                status: .ok,
                headers: [("Content-Type", "application/json")],
                body: #"{"AccessKeyId":"ASIATASK","SecretAccessKey":"secret-task","Token":"token-task","Expiration":"2030-01-01T00:00:00Z"}"#
            )
        }
        defer { Task { try await server.stop() } }
        let provider = ContainerCredentialProvider(environment: [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": "\(server.baseURL)/v2/credentials/task-role",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Bearer local-token",
        ])
        let credentials = try #require(try await provider.credentials())
        #expect(credentials.accessKeyID == "ASIATASK")
        #expect(credentials.sessionToken == "token-task")
        #expect(credentials.expiration == Date(timeIntervalSince1970: 1_893_456_000))
        let request = try #require(seen.withLock { $0.first })
        #expect(request.uri == "/v2/credentials/task-role")
        #expect(request.headers.first(name: "Authorization") == "Bearer local-token")
    }

    @Test func containerProviderRefusesAFullURIOnAnArbitraryHost() async throws {
        let provider = ContainerCredentialProvider(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://example.com/creds"])
        let error = await #expect(throws: AWSError.self) { try await provider.credentials() }
        #expect(error?.message.contains("example.com") == true)
    }

    @Test func containerProviderReportsAnEndpointThatFails() async throws {
        let server = try await LoopbackHTTPServer.start { _ in CannedResponse(status: .internalServerError, body: "boom") }
        defer { Task { try await server.stop() } }
        let provider = ContainerCredentialProvider(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "\(server.baseURL)/creds"])
        let error = await #expect(throws: AWSError.self) { try await provider.credentials() }
        #expect(error?.kind == .credentials)
        #expect(error?.statusCode == 500)
    }
}

/// A file in the temporary directory, removed when the value is released.
final class TemporaryFile: Sendable {
    let path: String

    init(contents: String) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("shiplog-\(UUID().uuidString)").path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
