import AWS
import AsyncHTTPClient
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Ledger
import NIOCore
import NIOHTTP1
import Replication
import TestSupport
import Testing

/// `serve --replicate` and `restore` as processes, against moto's S3 with the real Litestream
/// binary: kill -9 and restore, the lease between two services, a lost lease, a restore shorter
/// than a published checkpoint, and the refusals.
@Suite(.enabled(if: TestServices.runReplicationTests, Comment(rawValue: TestServices.replicationMissing)))
struct ReplicationCommandTests {
    static let credentials = ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"]

    let cli: CLI

    init() {
        var cli = CLI()
        cli.environment = Self.credentials.merging(["SHIPLOG_LITESTREAM": TestServices.litestream ?? ""]) { $1 }
        self.cli = cli
    }

    /// A CLI over another directory of its own, as a second machine.
    func machine() -> CLI {
        var other = CLI()
        other.environment = cli.environment
        return other
    }

    func bucket() async throws -> MotoBucket {
        try await MotoBucket(endpoint: try #require(TestServices.motoURL))
    }

    func objects(_ replica: String) throws -> S3ObjectClient {
        try ReplicaLocation(replica, environment: Self.credentials).objectClient(environment: Self.credentials)
    }

    /// Starts `serve --replicate` on a free port; returns the process, its stderr and its base
    /// URL, or nil with what it wrote when it exited instead.
    func serve(_ cli: CLI, _ extra: [String]) async throws -> (Process, OutputCollector, String?) {
        try await cli.launchServe(["--port", "0", "--reconcile", "off"] + extra, seconds: 60)
    }

    func token(_ cli: CLI) async throws -> String {
        let created = try await cli.run("token", "create", "--name", "writer", "--role", "deployer", "--actor", "ana-maintainer")
        #expect(created.status == 0, "\(created.stderr)")
        return created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// POSTs one ImageBuilt event; its position when acknowledged, else the status.
    func append(_ client: HTTPClient, _ base: String, token: String, tag: String) async -> (position: Int?, status: UInt) {
        var request = HTTPClientRequest(url: base + "/api/v1/events")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.body = .bytes(ByteBuffer(string: #"{"stream": "build-\#(tag)", "type": "ImageBuilt", "data": {"app": "api", "image": "i", "tag": "\#(tag)", "digest": "sha256:\#(tag)"}}"#))
        guard let response = try? await client.execute(request, timeout: .seconds(30)),
              let body = try? await response.body.collect(upTo: 1 << 20) else { return (nil, 0) }
        let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        let position = (object?["events"] as? [[String: Any]])?.first?["position"] as? Int
        return (response.status == .created ? position : nil, UInt(response.status.code))
    }

    func get(_ client: HTTPClient, _ url: String) async throws -> (UInt, String) {
        let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (UInt(response.status.code), String(buffer: body))
    }

    /// Starts `serve` with `arguments` on every machine at once, expects exactly one of them to
    /// serve and the others to exit non-zero with a message `refusal` accepts; returns every
    /// start, in the order of `machines`, for the caller to stop.
    func race(_ machines: [CLI], _ arguments: [String], refusal: (String) -> Bool) async throws -> [(Process, OutputCollector, String?)] {
        let started = try await withThrowingTaskGroup(of: (Int, (Process, OutputCollector, String?)).self) { group in
            for (index, machine) in machines.enumerated() { group.addTask { (index, try await serve(machine, arguments)) } }
            return try await group.reduce(into: [(Process, OutputCollector, String?)?](repeating: nil, count: machines.count)) { $0[$1.0] = $1.1 }
        }.compactMap { $0 }
        #expect(started.filter { $0.2 != nil }.count == 1, "exactly one service serves: \(started.map(\.1.output))")
        for (process, output, url) in started where url == nil {
            await process.exited()
            #expect(process.terminationStatus != 0)
            #expect(refusal(output.output), "\(output.output)")
        }
        return started
    }

    /// SIGKILL to the process and its children (Litestream) at once, as a machine dies.
    func killTree(_ process: Process) {
        let pid = process.processIdentifier
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        let children = tasks.flatMap { task in
            ((try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/children", encoding: .utf8)) ?? "").split(separator: " ").compactMap { Int32($0) }
        }
        kill(pid, SIGKILL)
        for child in children { kill(child, SIGKILL) }
        process.waitUntilExit()
    }

    @Test func killNineThenRestoreOnANewMachineHoldsEveryAppendAcknowledgedASyncIntervalBefore() async throws {
        let replica = try await bucket().replica("ledger")
        try await cli.run("init")
        let token = try await token(cli)
        let (process, collector, url) = try await serve(cli, ["--replicate", replica, "--sync-interval", "1s"])
        defer { if process.isRunning { killTree(process) } }
        let base = try #require(url, "the service did not start: \(collector.output)")
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let acknowledged = await withTaskGroup(of: [Int: String].self) { group in
            for writer in 0..<4 {
                group.addTask {
                    var positions: [Int: String] = [:]
                    // Three seconds of appends, and at least 10 of them however loaded the machine is (within a minute).
                    let until = ContinuousClock.now + .seconds(3), limit = ContinuousClock.now + .seconds(60)
                    var number = 0
                    while ContinuousClock.now < until || (positions.count < 10 && ContinuousClock.now < limit) {
                        let tag = "w\(writer)-\(number)"
                        if let position = await append(client, base, token: token, tag: tag).position { positions[position] = tag }
                        number += 1
                    }
                    return positions
                }
            }
            return await group.reduce(into: [:]) { $0.merge($1) { $1 } }
        }
        // Past the sync interval (and a margin for a loaded machine): every acknowledged append is in S3.
        try await Task.sleep(for: .seconds(5))
        killTree(process)
        try await client.shutdown()
        #expect(acknowledged.count > 20, "the service acknowledged appends: \(acknowledged.count)")

        let other = machine()
        let restored = try await other.run("restore", "--from", replica, "--to", other.database, useDatabase: false)
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(restored.stdout.contains("intact"), "\(restored.stdout)")
        #expect(try await other.run("verify").status == 0)
        let store = try EventStore(path: other.database, access: .readOnly)
        let recorded = try store.events(EventFilter(type: "ImageBuilt")).reduce(into: [Int: String]()) { found, event in
            found[Int(event.position)] = event.data.contains("\"tag\":\"") ? String(event.data.split(separator: "\"tag\":\"")[1].prefix { $0 != "\"" }) : nil
        }
        let missing = acknowledged.filter { recorded[$0.key] != $0.value }
        #expect(missing.isEmpty, "\(missing.count) of \(acknowledged.count) acknowledged appends are not in the restored ledger, e.g. \(missing.first.map { "\($0)" } ?? "")")
    }

    @Test func twoServicesOnOneReplicaExactlyOneServesAndANewMachineRestoresWhatItWrote() async throws {
        let replica = try await bucket().replica("ledger")
        let machines = [cli, machine()]
        for machine in machines { try await machine.run("init") }
        let started = try await race(machines, ["--replicate", replica]) { $0.contains("holds the lease on") || $0.contains("took the lease on") }
        defer { for (process, _, _) in started where process.isRunning { process.terminate() } }
        let winner = try #require(started.first { $0.2 != nil })
        let writer = machines[started.firstIndex { $0.0 === winner.0 } ?? 0]
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let token = try await token(writer)
        for number in 0..<5 { #expect(await append(client, try #require(winner.2), token: token, tag: "t\(number)").position != nil) }
        try await client.shutdown()
        kill(winner.0.processIdentifier, SIGTERM)
        await winner.0.exited()
        #expect(winner.0.terminationStatus == 0, "\(winner.1.output)")

        // The ECS task-replacement case: an empty disk, the same replica; the lease was released.
        let replacement = machine()
        let (process, collector, url) = try await serve(replacement, ["--replicate", replica])
        defer { if process.isRunning { process.terminate() } }
        #expect(url != nil, "the replacement serves: \(collector.output)")
        #expect(collector.output.contains("restored the ledger from its replica"), "\(collector.output)")
        let expected = try EventStore(path: writer.database, access: .readOnly).head()?.position
        let restored = try EventStore(path: replacement.database, access: .readOnly).head()?.position
        #expect(restored == expected)
    }

    @Test func aServiceThatLosesItsLeaseRefusesAppendsWith503AndIsNotReady() async throws {
        let replica = try await bucket().replica("ledger")
        try await cli.run("init")
        let token = try await token(cli)
        let (process, collector, url) = try await serve(cli, ["--replicate", replica, "--lease-duration", "3s"])
        defer { if process.isRunning { process.terminate() } }
        let base = try #require(url, "the service did not start: \(collector.output)")
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        #expect(await append(client, base, token: token, tag: "before").position != nil)
        #expect(try await get(client, base + "/readyz").0 == 200)

        let intruder = #"{"expires_at":"2099-01-01T00:00:00Z","holder":"another-machine"}"#
        try await objects(replica).put(try ReplicaLocation(replica).key("lease"), Array(intruder.utf8))
        // It learns at its next renewal (a third of the lease duration); what it acknowledged until then is in its ledger.
        let deadline = ContinuousClock.now + .seconds(10)
        var acknowledged = 1
        var status: UInt = 201
        while status != 503, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            status = await append(client, base, token: token, tag: "after-\(acknowledged)").status
            if status == 201 { acknowledged += 1 }
        }
        #expect(status == 503, "an append after the lease was lost")
        for number in 0..<3 { #expect(await append(client, base, token: token, tag: "refused-\(number)").status == 503) }
        let (readyStatus, ready) = try await get(client, base + "/readyz")
        #expect(readyStatus == 503)
        #expect(ready.contains("\"lease_held\":false"), "\(ready)")
        #expect(try await get(client, base + "/api/v1/events").0 == 401, "reads still answer (here: ask for a token)")
        try await client.shutdown()
        let recorded = try EventStore(path: cli.database, access: .readOnly).events(EventFilter(type: "ImageBuilt")).count
        #expect(recorded == acknowledged, "nothing was appended once the lease was found lost")
        process.terminate()
        await process.exited()
        let lease = try await objects(replica).get(try ReplicaLocation(replica).key("lease"))
        #expect(lease.map { String(decoding: $0.body, as: UTF8.self) } == intruder, "the writer that lost the lease leaves its new holder's lease alone")
    }

    @Test func aRestoreShorterThanAPublishedCheckpointSaysHowManyAcknowledgedEventsAreMissing() async throws {
        let replica = try await bucket().replica("ledger")
        try await cli.run("init")
        try await cli.run("keys", "create", "--out", cli.directory.path(""), "--name", "shiplog.test", useDatabase: false)
        let key = cli.directory.path("shiplog.test.key")
        let (process, collector, url) = try await serve(cli, ["--replicate", replica, "--signing-key", key, "--checkpoint-interval", "1s"])
        defer { if process.isRunning { process.terminate() } }
        #expect(url != nil, "the service did not start: \(collector.output)")
        for number in 0..<3 { #expect(try await cli.run("events", "append", "--actor", "ana-maintainer", input: .requested(number)).status == 0) }
        let s3 = try objects(replica)
        let location = try ReplicaLocation(replica)
        let deadline = ContinuousClock.now + .seconds(20)
        while try await s3.get(location.key("checkpoints/3")) == nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(200)) }
        #expect(try await s3.get(location.key("checkpoints/3")) != nil, "the checkpoint of size 3 is published beside the replica")
        process.terminate()
        await process.exited()

        // Two more appends and their checkpoint reach the bucket, but not the replica: the tail a dead machine never shipped.
        for number in 3..<5 { #expect(try await cli.run("events", "append", "--actor", "ana-maintainer", input: .requested(number)).status == 0) }
        let signed = try await cli.run("checkpoint", "--key", key)
        #expect(signed.status == 0, "\(signed.stderr)")
        try await s3.put(location.key("checkpoints/5"), Array(signed.stdout.utf8))

        let other = machine()
        let restored = try await other.run("restore", "--from", replica, "--to", other.database, useDatabase: false)
        #expect(restored.status == 1)
        #expect(restored.stderr.contains("2 acknowledged events (positions 4 to 5) are not in it"), "\(restored.stderr)")
        #expect(try await other.run("verify").status == 0, "what came back is kept, and intact")

        // A service on an empty disk restores the same and refuses to serve over the loss.
        let replacement = machine()
        let refused = try await replacement.run("serve", "--port", "0", "--replicate", replica)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("2 acknowledged events are lost"), "\(refused.stderr)")
    }

    @Test func restoreRefusesAMissingBucketAnEmptyReplicaAnExistingFileAndAnotherLedgersReplica() async throws {
        let moto = try #require(TestServices.motoURL)
        let bucket = try await bucket()
        let other = machine()
        func restore(_ from: String, to: String? = nil) async throws -> CLI.Output {
            try await other.run(["restore", "--from", from, "--to", to ?? other.database], useDatabase: false)
        }
        let noBucket = try await restore("s3://no-such-bucket-here/ledger?endpoint=\(moto.absoluteString)")
        #expect(noBucket.status != 0)
        #expect(noBucket.stderr.contains("the bucket no-such-bucket-here does not exist"), "\(noBucket.stderr)")
        let empty = try await restore(bucket.replica("nothing-here"))
        #expect(empty.stderr.contains("holds no replica"), "\(empty.stderr)")
        #expect(!FileManager.default.fileExists(atPath: other.database), "nothing written")

        try await other.run("init")
        let before = try Data(contentsOf: URL(fileURLWithPath: other.database))
        let exists = try await restore(bucket.replica("ledger"))
        #expect(exists.stderr.contains("a restore never overwrites a ledger"), "\(exists.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: other.database)) == before)

        // A ledger with events of its own, pointed at a replica whose checkpoint another ledger signed.
        try await cli.run("init")
        try await cli.run("keys", "create", "--out", cli.directory.path(""), "--name", "shiplog.test", useDatabase: false)
        for number in 0..<2 { try await cli.run("events", "append", "--actor", "ana-maintainer", input: .requested(number)) }
        try await other.run("events", "append", "--actor", "ana-maintainer", input: .requested(7, tag: "other"))
        try await other.run("events", "append", "--actor", "ana-maintainer", input: .requested(8, tag: "other"))
        let foreign = try await other.run("checkpoint", "--key", cli.directory.path("shiplog.test.key"))
        let replica = bucket.replica("shared")
        try await objects(replica).put(try ReplicaLocation(replica).key("checkpoints/2"), Array(foreign.stdout.utf8))
        let refused = try await cli.run("serve", "--port", "0", "--replicate", replica)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("holds another ledger"), "\(refused.stderr)")
        #expect(try await objects(replica).get(try ReplicaLocation(replica).key("lease")) == nil, "the refused service gave its lease back")
    }

    @Test func theConfigurationsReplicateSectionReplicatesWithoutFlagsAndABadOneIsRefusedBeforeTheBucketIsTouched() async throws {
        let bucket = try await bucket()
        let moto = try #require(TestServices.motoURL)
        try await cli.run("init")
        let config = cli.directory.path("shiplog.yml")
        let example = try String(contentsOfFile: config, encoding: .utf8)
        func configure(_ section: String) throws {
            try (example + "\nreplicate:\n" + section).write(toFile: config, atomically: true, encoding: .utf8)
        }

        // A duration that is none: one line naming the key; no lease taken, nothing replicated.
        try configure("  url: s3://\(bucket.name)/from-config\n  endpoint: \(moto.absoluteString)\n  sync_interval: soon\n")
        let refused = try await cli.run("serve", "--port", "0", "--reconcile", "off", "--config", config)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("replicate.sync_interval") && refused.stderr.contains("'soon'"), "\(refused.stderr)")
        #expect(refused.stderr.split(whereSeparator: \.isNewline).count == 1, "\(refused.stderr)")
        let location = try ReplicaLocation(bucket.replica("from-config"))
        #expect(try await objects(bucket.replica("from-config")).get(location.key("lease")) == nil)

        try configure("""
              url: s3://\(bucket.name)/from-config
              endpoint: \(moto.absoluteString)
              region: us-east-1
              sync_interval: 1s
              lease_duration: 6s

            """)
        let token = try await token(cli)
        let (process, collector, url) = try await serve(cli, ["--config", config])
        defer { if process.isRunning { process.terminate() } }
        let base = try #require(url, "the service did not start: \(collector.output)")
        let s3 = try objects(bucket.replica("from-config"))
        let lease = try #require(try await s3.get(location.key("lease")), "the service took the lease the section names")
        let record = try JSONSerialization.jsonObject(with: Data(lease.body)) as? [String: Any]
        let holder = try #require(record?["holder"] as? String)
        let expires = try #require((record?["expires_at"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) })
        #expect(expires.timeIntervalSinceNow <= 6.5, "lease_duration: 6s is the lease's length (\(expires))")
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let (readyStatus, ready) = try await get(client, base + "/readyz")
        #expect(readyStatus == 200, "\(ready)")
        for number in 0..<3 { #expect(await append(client, base, token: token, tag: "c\(number)").position != nil) }
        try await client.shutdown()
        kill(process.processIdentifier, SIGTERM)
        await process.exited()
        #expect(process.terminationStatus == 0, "\(collector.output)")
        #expect(try await s3.get(location.key("lease")) == nil, "\(holder) gave the lease back on a clean stop")

        let other = machine()
        let restored = try await other.run("restore", "--from", bucket.replica("from-config"), "--to", other.database, useDatabase: false)
        #expect(restored.status == 0, "\(restored.stderr)")
        let expected = try EventStore(path: cli.database, access: .readOnly).head()?.position
        #expect(try EventStore(path: other.database, access: .readOnly).head()?.position == expected)
    }

    @Test func withALeaseTableTwoServicesOnOneReplicaExactlyOneServesAndTheItemNamesIt() async throws {
        let moto = try #require(TestServices.motoURL)
        let bucket = try await bucket()
        let table = try await MotoTable(endpoint: moto)
        let replica = bucket.replica("ledger")
        var machines = [cli, machine()]
        for index in machines.indices {
            machines[index].environment["AWS_ENDPOINT_URL_DYNAMODB"] = moto.absoluteString
            try await machines[index].run("init")
        }
        let started = try await race(machines, ["--replicate", replica, "--lease-table", table.name]) { $0.contains("in the DynamoDB table \(table.name)") }
        defer { for (process, _, _) in started where process.isRunning { process.terminate() } }
        let winner = try #require(started.first { $0.2 != nil })
        let item = try await leaseItem(table, replica: "s3://\(bucket.name)/ledger")
        #expect(item?.hasPrefix(ProcessInfo.processInfo.hostName + "/\(winner.0.processIdentifier)/") == true, "the item names the serving process: \(item ?? "none")")
        #expect(try await objects(replica).get(try ReplicaLocation(replica).key("lease")) == nil, "no lease object beside the replica")
        kill(winner.0.processIdentifier, SIGTERM)
        await winner.0.exited()
        #expect(winner.0.terminationStatus == 0, "\(winner.1.output)")
        #expect(try await leaseItem(table, replica: "s3://\(bucket.name)/ledger") == nil, "a clean stop gives the lease back")
    }

    @Test func aLitestreamLeftRunningByAKilledServiceIsStoppedByTheNextServiceOfTheLedger() async throws {
        let replica = try await bucket().replica("ledger")
        try await cli.run("init")
        let (first, firstOutput, firstURL) = try await serve(cli, ["--replicate", replica, "--lease-duration", "3s"])
        defer { if first.isRunning { killTree(first) } }
        #expect(firstURL != nil, "the service did not start: \(firstOutput.output)")
        let pidFile = cli.database + ".litestream.pid"
        let deadline = ContinuousClock.now + .seconds(20)
        while !FileManager.default.fileExists(atPath: pidFile), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        let leftover = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        defer { kill(leftover, SIGKILL) }
        kill(first.processIdentifier, SIGKILL)
        await first.exited()
        #expect(Self.isRunning(leftover), "Litestream outlives a shiplog killed alone")

        try await Task.sleep(for: .milliseconds(3500))  // the dead service's lease runs out
        let (second, secondOutput, secondURL) = try await serve(cli, ["--replicate", replica, "--lease-duration", "3s"])
        defer { if second.isRunning { second.terminate() } }
        #expect(secondURL != nil, "the next service starts: \(secondOutput.output)")
        let stopped = ContinuousClock.now + .seconds(20)
        while Self.isRunning(leftover), ContinuousClock.now < stopped { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!Self.isRunning(leftover), "the leftover Litestream was stopped")
        #expect(secondOutput.output.contains("stopping the Litestream an earlier shiplog of this ledger left running"), "\(secondOutput.output)")
        second.terminate()
        await second.exited()
        #expect(!FileManager.default.fileExists(atPath: pidFile), "a clean stop removes the pid file")
    }

    /// Whether `pid` is a live process (not gone, not a zombie waiting for its reaper).
    static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(close, offsetBy: 2)] != "Z"
    }

    /// The holder in the lease item of `replica`, read with a plain request to moto.
    func leaseItem(_ table: MotoTable, replica: String) async throws -> String? {
        var request = URLRequest(url: table.endpoint)
        request.httpMethod = "POST"
        request.setValue("application/x-amz-json-1.0", forHTTPHeaderField: "Content-Type")
        request.setValue("DynamoDB_20120810.GetItem", forHTTPHeaderField: "X-Amz-Target")
        request.setValue("AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0", forHTTPHeaderField: "Authorization")
        request.httpBody = try JSONSerialization.data(withJSONObject: ["TableName": table.name, "Key": ["replica": ["S": replica]], "ConsistentRead": true])
        let (data, _) = try await URLSession.shared.data(for: request)
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return ((object?["Item"] as? [String: Any])?["holder"] as? [String: Any])?["S"] as? String
    }
}
