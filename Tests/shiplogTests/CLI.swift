import Foundation
import TestSupport
import Testing

/// Runs the built `shiplog` binary as a child process, the way people and CI do.
struct CLI {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
        var lines: [String] { stdout.split(separator: "\n").map(String.init) }
    }

    let directory: TemporaryDirectory
    var database: String { directory.path("shiplog.sqlite") }
    var environment: [String: String] = [:]

    init(directory: TemporaryDirectory = TemporaryDirectory()) {
        self.directory = directory
    }

    /// The binary next to the test bundle (`.build/<config>/shiplog`), or `SHIPLOG_BIN`.
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["SHIPLOG_BIN"] { return URL(fileURLWithPath: path) }
        var url = Bundle.main.bundleURL
        while url.path != "/" {
            let candidate = url.appending(path: "shiplog")
            if FileManager.default.isExecutableFile(atPath: candidate.path), !candidate.hasDirectoryPath { return candidate }
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appending(path: "shiplog")
    }

    func process(_ arguments: [String], useDatabase: Bool = true) -> Process {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments + (useDatabase && !arguments.contains("--db") ? ["--db", database] : [])
        process.currentDirectoryURL = directory.url
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("GITHUB_") || key.hasPrefix("SHIPLOG_") { environment[key] = nil }
        environment.merge(self.environment) { $1 }
        process.environment = environment
        return process
    }

    @discardableResult
    func run(_ arguments: String..., input: String? = nil, useDatabase: Bool = true) async throws -> Output {
        try await run(arguments, input: input, useDatabase: useDatabase)
    }

    /// Runs `shiplog` with `arguments` to its end (see `Process.output(input:)`, which keeps the
    /// wait off the cooperative pool).
    @discardableResult
    func run(_ arguments: [String], input: String? = nil, useDatabase: Bool = true) async throws -> Output {
        let output = try await process(arguments, useDatabase: useDatabase).output(input: input ?? "")
        return Output(status: output.status, stdout: output.stdout, stderr: output.stderr)
    }

    /// Starts `shiplog serve --port 0` on this ledger with `extra`; returns the process, its
    /// standard error as it comes, and its base URL once it listens.
    func serve(_ extra: [String] = []) async throws -> (process: Process, stderr: OutputCollector, url: String) {
        let (process, collector, url) = try await launchServe(["--port", "0"] + extra)
        guard let url else {
            process.terminate()
            throw ServeFailure("the service did not start: \(collector.output)")
        }
        return (process, collector, url)
    }

    /// Starts `shiplog serve` with `arguments`; returns the process, its standard error as it
    /// comes, and its base URL once it listens, or nil when it exited (or did not listen within
    /// `seconds`) instead.
    func launchServe(_ arguments: [String], seconds: Int = 30) async throws -> (process: Process, stderr: OutputCollector, url: String?) {
        let process = process(["serve"] + arguments)
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        try process.start()
        try? stderr.fileHandleForWriting.close()
        let collector = OutputCollector(stderr.fileHandleForReading)
        await collector.wait(seconds: seconds) { $0.output.contains("listening on 127.0.0.1:") }
        guard let range = collector.output.range(of: #"listening on 127\.0\.0\.1:\d+"#, options: .regularExpression) else {
            return (process, collector, nil)
        }
        return (process, collector, "http://127.0.0.1:" + (collector.output[range].split(separator: ":").last.map(String.init) ?? ""))
    }

    /// How many events the ledger holds, read straight from the database.
    func eventCount() async throws -> Int {
        try await run("events").lines.count
    }
}

extension String {
    /// One JSON line for `events append`.
    static func event(stream: String, type: String, data: String, metadata: String? = nil) -> String {
        var line = #"{"stream":"\#(stream)","type":"\#(type)","data":\#(data)"#
        if let metadata { line += #","metadata":\#(metadata)"# }
        return line + "}"
    }

    static func requested(_ number: Int, app: String = "api", env: String = "staging", tag: String = "abc123") -> String {
        .event(stream: "deployment-\(number)", type: "DeploymentRequested",
               data: #"{"app":"\#(app)","environment":"\#(env)","tag":"\#(tag)","trigger":"merge"}"#)
    }
}

/// Collects what a child process writes, on a thread of its own, so a test can
/// wait for output with a deadline instead of blocking on a read.
final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""
    private var ended = false

    init(_ handle: FileHandle) {
        Thread { [self] in
            while true {
                let data = handle.availableData
                lock.withLock {
                    if data.isEmpty { ended = true } else { text += String(decoding: data, as: UTF8.self) }
                }
                if data.isEmpty { return }
            }
        }.start()
    }

    var output: String { lock.withLock { text } }
    var complete: [String] {
        lock.withLock { text.split(separator: "\n", omittingEmptySubsequences: true).dropLast(text.hasSuffix("\n") ? 0 : 1).map(String.init) }
    }
    var isEnded: Bool { lock.withLock { ended } }

    /// Waits until `condition` holds of the output, or the deadline passes.
    func wait(seconds: Int = 30, until condition: (OutputCollector) -> Bool) async {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while !condition(self), !isEnded, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
