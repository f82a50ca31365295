import Foundation
import Ledger
import TestSupport
import Testing

/// `shiplog deploy`, `promote` and `status` with an environment frozen for as long as any test runs.
@Suite(.serialized)
struct FreezeCommandTests {
    let cli = CLI()

    static let summary = "staging is frozen (Launch week: the new site goes live) until 3000-01-01T00:00:00Z"

    init() async throws {
        try await cli.run("init")
        let path = cli.directory.path("shiplog.yml")
        let text = try String(contentsOfFile: path, encoding: .utf8) + """

            freeze:
              staging:
                - {name: Launch week, reason: the new site goes live, start: 2000-01-01, end: 2999-12-31}

            """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func aDeployInsideAFreezeIsRefusedOnOneLineAndRecorded() async throws {
        let output = try await cli.run("deploy", "api", "--env", "staging", "--tag", "3f9c2e1", "--actor", "ana-maintainer")
        #expect(output.status != 0)
        #expect(output.stderr == "Error: \(Self.summary); nothing was deployed (a maintainer may override: --override-freeze \"reason\", or override_freeze in the API)\n")
        #expect(output.stdout.isEmpty)
        let denied = try await cli.run("events", "--type", "AccessDenied")
        #expect(denied.lines.count == 1)
        #expect(denied.stdout.contains(#""reason":"\#(Self.summary)""#))
        #expect(try await cli.run("events", "--type", "DeploymentRequested").lines.isEmpty, "nothing deployed")
    }

    @Test func aMaintainersOverrideDeploysAndRecordsTheReason() async throws {
        let output = try await cli.run("deploy", "api", "--env", "staging", "--tag", "3f9c2e1", "--actor", "ana-maintainer", "--override-freeze", "launch blocker fix")
        #expect(output.status == 0, "\(output.stderr)")
        let requested = try await cli.run("events", "--type", "DeploymentRequested")
        #expect(requested.stdout.contains(#""freeze_override":"launch blocker fix""#))
        #expect(requested.stdout.contains(#""freeze_window":"Launch week""#))
    }

    @Test func aDeployersOverrideIsRefusedAndRecorded() async throws {
        let output = try await cli.run("deploy", "api", "--env", "staging", "--tag", "3f9c2e1", "--actor", "cara-contributor", "--override-freeze", "please")
        #expect(output.status != 0)
        #expect(output.stderr == "Error: access denied: cara-contributor is not a maintainer (only maintainers may override a freeze)\n")
        #expect(try await cli.run("events", "--type", "AccessDenied").lines.count == 1)
        #expect(try await cli.run("events", "--type", "DeploymentRequested").lines.isEmpty)
    }

    @Test func anEmptyOverrideReasonIsRefusedBeforeAnythingIsWritten() async throws {
        for command in [["deploy", "api", "--env", "staging", "--tag", "3f9c2e1"], ["promote", "api"], ["reconcile"]] {
            let output = try await cli.run(command + ["--actor", "ana-maintainer", "--override-freeze", " "])
            #expect(output.status != 0)
            #expect(output.stderr.contains("the freeze override needs a reason"), "\(output.stderr)")
        }
        #expect(try await cli.eventCount() == 0)
    }

    @Test func statusShowsTheActiveFreeze() async throws {
        let status = try await cli.run("status")
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.lines.last == Self.summary + ": deploys, promotions and reconcile corrections wait")
        #expect(try await cli.run("status", "--env", "production").stdout.contains("frozen") == false)
    }
}
