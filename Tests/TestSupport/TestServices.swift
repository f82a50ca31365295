import Foundation

/// Where the real services the integration tests talk to are (scripts/test starts them).
///
/// When a service is not configured the tests are skipped with the reason shown — except under
/// CI (`CI=true`), where they run and fail on the missing variable, so CI cannot pass by skipping.
public enum TestServices {
    public static let environment = ProcessInfo.processInfo.environment
    public static let isCI = ["true", "1"].contains(environment["CI"]?.lowercased() ?? "")

    public static let motoURL = environment["SHIPLOG_TEST_MOTO_URL"].flatMap { $0.isEmpty ? nil : URL(string: $0) }
    public static let motoMissing = "moto not running: set SHIPLOG_TEST_MOTO_URL (scripts/test starts it)"
    /// Run when moto is configured, or always under CI (where a missing URL then fails the test).
    public static let runMotoTests = motoURL != nil || isCI

    public static let registryURL = environment["SHIPLOG_TEST_REGISTRY_URL"].flatMap { $0.isEmpty ? nil : URL(string: $0) }
    public static let registryMissing = "docker-registry not running: set SHIPLOG_TEST_REGISTRY_URL (scripts/test starts it)"
    /// Run when the registry is configured, or always under CI (where a missing URL then fails the test).
    public static let runRegistryTests = registryURL != nil || isCI

    public static let litestream = environment["SHIPLOG_LITESTREAM"].flatMap { $0.isEmpty ? nil : $0 }
    public static let replicationMissing = "moto or litestream missing: set SHIPLOG_TEST_MOTO_URL and SHIPLOG_LITESTREAM (scripts/test sets both)"
    /// Run when moto and Litestream are there, or always under CI (where a missing one then fails the test).
    public static let runReplicationTests = (motoURL != nil && litestream != nil) || isCI
}

/// The environment variable that holds the token tests' GitHub team stubs are asked with.
///
/// It is set once for the whole test process, and no test sets another: `setenv` of a new name
/// moves the environment, and a second move frees the array a child process being started on
/// another thread is still copying (which crashed the suite in `Process.run`).
public enum TestGitHubToken {
    public static let variable: String = {
        setenv("SHIPLOG_TEST_GITHUB_TOKEN", "ghp_test", 1)
        return "SHIPLOG_TEST_GITHUB_TOKEN"
    }()
}
