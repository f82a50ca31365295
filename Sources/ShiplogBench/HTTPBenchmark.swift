import ArgumentParser
import AsyncHTTPClient
import Foundation
import Ledger
import NIOCore
import NIOHTTP1

/// The service under load: the release `shiplog serve` over a fresh ledger on loopback, driven
/// by wrk — reads of what runs where, then appends, every acknowledged append looked up in the
/// ledger afterwards and the hash chain verified.
struct HTTPBenchmark {
    let shiplog: String
    let wrk: String
    /// scripts/bench-http-append.lua.
    let appendScript: String
    let work: String
    let port: Int
    let threads: Int
    let connections: Int
    let seconds: Int

    /// What wrk measured on one endpoint.
    struct Run {
        var requestsPerSecond: Double
        /// Non-2xx answers and socket errors.
        var errors: Int
    }

    /// The append run, counted by the Lua script and checked against the ledger.
    struct AppendRun {
        var sent: Int
        var acknowledged: Int
        var refused: Int
        var seconds: Double
        /// ImageBuilt events in the ledger once the service stopped.
        var recorded: Int
        var acknowledgedPerSecond: Double { Double(acknowledged) / seconds }
    }

    /// A running service with its tokens.
    struct Service {
        let process: Process
        let url: String
        let viewer: String
        let deployer: String
        let database: String
    }

    var wrkLabel: String { "wrk -t\(threads) -c\(connections) -d\(seconds)s" }

    /// Seeds a fresh ledger with six deployments (three apps in two environments), creates a
    /// viewer's and a deployer's token, starts the service and waits until it is ready.
    func start() async throws -> Service {
        let directory = URL(fileURLWithPath: work).appending(path: "http").path
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let database = directory + "/ledger.sqlite"
        let store = try EventStore(path: database, access: .readWrite(create: true))
        _ = try await store.append(Workload(count: 6 * 7).events)
        store.close()

        let viewer = try output(shiplog, ["token", "create", "--db", database, "--name", "bench-viewer", "--role", "viewer", "--actor", "bench"])
        let deployer = try output(shiplog, ["token", "create", "--db", database, "--name", "bench-deployer", "--role", "deployer", "--actor", "bench"])

        let process = Process()
        process.executableURL = URL(fileURLWithPath: shiplog)
        // No configuration: the service records and reports, which is all this measures.
        process.arguments = ["serve", "--db", database, "--host", "127.0.0.1", "--port", String(port), "--reconcile", "off"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        _ = FileManager.default.createFile(atPath: directory + "/serve.log", contents: nil)
        guard let log = FileHandle(forWritingAtPath: directory + "/serve.log") else { throw ValidationError("cannot write \(directory)/serve.log") }
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let service = Service(process: process, url: "http://127.0.0.1:\(port)", viewer: viewer, deployer: deployer, database: database)
        try await waitUntilReady(service)
        let environments = try await get(service.url + "/api/v1/environments", token: viewer)
        guard environments.status == 200, environments.body.contains("\"ingestion_server\"") else {
            stop(service)
            throw ValidationError("GET /api/v1/environments answered \(environments.status): \(environments.body.prefix(200))")
        }
        return service
    }

    /// wrk on `GET /api/v1/environments` with the viewer's token.
    func measureReads(_ service: Service) throws -> Run {
        let text = try output(wrk, [
            "-t\(threads)", "-c\(connections)", "-d\(seconds)s", "-H", "Authorization: Bearer \(service.viewer)",
            service.url + "/api/v1/environments",
        ])
        guard let rate = Self.number(after: "Requests/sec:", in: text) else { throw ValidationError("wrk printed no rate:\n\(text)") }
        let errors = Self.number(after: "Non-2xx or 3xx responses:", in: text).map { Int($0) } ?? 0
        return Run(requestsPerSecond: rate, errors: errors + Self.socketErrors(in: text))
    }

    /// wrk posting one event a request with the deployer's token.
    func measureAppends(_ service: Service) throws -> AppendRun {
        let text = try output(wrk, [
            "-t\(threads)", "-c\(connections)", "-d\(seconds)s", "-s", appendScript, service.url, "--", service.deployer,
        ])
        guard let sent = Self.number(after: "sent", in: text), let acknowledged = Self.number(after: "acknowledged", in: text),
              let refused = Self.number(after: "refused", in: text), let elapsed = Self.number(after: "seconds", in: text)
        else { throw ValidationError("the append script printed no counts:\n\(text)") }
        return AppendRun(sent: Int(sent), acknowledged: Int(acknowledged), refused: Int(refused), seconds: elapsed, recorded: 0)
    }

    /// Stops the service (SIGTERM: appends in flight are committed first), then checks that every
    /// acknowledged append is in the ledger and that `shiplog verify` passes.
    func stopAndCheck(_ service: Service, appends: AppendRun) throws -> AppendRun {
        stop(service)
        let store = try EventStore(path: service.database, access: .readOnly)
        defer { store.close() }
        var checked = appends
        checked.recorded = try store.events(EventFilter(type: "ImageBuilt")).count
        // Requests still in flight when wrk stopped may have committed unacknowledged: at least
        // every acknowledged one, at most every one sent; exactly the acknowledged when every
        // request was answered 201.
        let everyAnswered = appends.sent == appends.acknowledged
        guard checked.recorded >= appends.acknowledged, checked.recorded <= appends.sent,
              !everyAnswered || checked.recorded == appends.acknowledged
        else {
            throw ValidationError("the ledger holds \(checked.recorded) ImageBuilt events; \(appends.acknowledged) were acknowledged, \(appends.sent) sent")
        }
        _ = try output(shiplog, ["verify", "--db", service.database])
        return checked
    }

    func stop(_ service: Service) {
        guard service.process.isRunning else { return }
        service.process.terminate()
        service.process.waitUntilExit()
    }

    // MARK: Helpers

    private func waitUntilReady(_ service: Service) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline, service.process.isRunning {
            if let ready = try? await get(service.url + "/readyz", token: nil), ready.status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        stop(service)
        throw ValidationError("shiplog serve did not become ready on port \(port); see its log in \(work)/http/serve.log")
    }

    private func get(_ url: String, token: String?) async throws -> (status: UInt, body: String) {
        var request = HTTPClientRequest(url: url)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(2))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (response.status.code, String(buffer: body))
    }

    /// Runs `executable` and returns its standard output, trimmed; throws when it fails.
    private func output(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("\(URL(fileURLWithPath: executable).lastPathComponent) \(arguments.prefix(2).joined(separator: " ")) failed")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The number that follows `label` at the start of a line of wrk's output.
    static func number(after label: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix(label + " ") || trimmed.hasPrefix(label + "\t") || (label.hasSuffix(":") && trimmed.hasPrefix(label)) else { continue }
            return Double(trimmed.dropFirst(label.count).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
        }
        return nil
    }

    /// The sum of wrk's `Socket errors: connect N, read N, write N, timeout N`.
    static func socketErrors(in text: String) -> Int {
        guard let line = text.split(separator: "\n").first(where: { $0.contains("Socket errors:") }) else { return 0 }
        return line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }.reduce(0, +)
    }
}
