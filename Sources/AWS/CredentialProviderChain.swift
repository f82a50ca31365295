import AsyncHTTPClient
import Clocks
import Foundation

/// Tries providers in order and caches what the first one that answers returns.
///
/// The standard order is environment variables, then the shared credentials file, then the
/// ECS container endpoint. Temporary credentials are refreshed five minutes before they expire,
/// and any are read again after AWS answered that they expired (``invalidate()``): a rotated
/// profile or a renewed task role is picked up without a restart.
public actor CredentialProviderChain: AWSCredentialProvider {
    private let providers: [any AWSCredentialProvider]
    private let clock: any ShiplogClock
    private var cached: AWSCredentials?

    public init(_ providers: [any AWSCredentialProvider], clock: any ShiplogClock = SystemClock()) {
        self.providers = providers
        self.clock = clock
    }

    /// The standard chain, reading the given environment.
    public static func standard(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        httpClient: HTTPClient = .shared
    ) -> CredentialProviderChain {
        CredentialProviderChain([
            EnvironmentCredentialProvider(environment: environment),
            SharedCredentialsFileProvider(environment: environment),
            ContainerCredentialProvider(environment: environment, httpClient: httpClient),
        ])
    }

    public func invalidate() {
        cached = nil
    }

    public func credentials() async throws -> AWSCredentials? {
        if let cached, cached.expiration.map({ $0.timeIntervalSince(clock.now) > 300 }) ?? true {
            return cached
        }
        for provider in providers {
            if let found = try await provider.credentials() {
                cached = found
                return found
            }
        }
        throw AWSError(
            kind: .credentials,
            message: "no credentials: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile in the shared credentials file, or run in ECS with a task role",
            operation: "credentials"
        )
    }
}
