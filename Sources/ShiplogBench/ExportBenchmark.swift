import ArgumentParser
import Foundation
import Reports

/// Whole exports of a ledger and the offline audit of the JSON one, each run
/// as the real `shiplog` binary in a process of its own: its time and its
/// peak resident memory (the child's own `ru_maxrss`, from `wait4` in a small parent).
struct ExportBenchmark {
    let shiplog: String
    let ledger: String
    let work: String

    struct Run {
        var seconds: Double
        var peakMegabytes: Double
    }

    /// `shiplog export --format F` of the whole ledger, into a file, per format.
    func measureExports() throws -> [(ReportFormat, Run)] {
        try ReportFormat.allCases.map { format in
            let output = path("export.\(format.rawValue)")
            let run = try measure(["export", "--db", ledger, "--format", format.rawValue, "--output", output])
            try? FileManager.default.removeItem(atPath: output)
            return (format, run)
        }
    }

    /// `shiplog audit-verify --export` of a signed JSON export of the whole ledger (made first, not timed).
    func measureAudit() throws -> Run {
        let export = path("audited.json"), key = path("bench.key"), publicKey = path("bench.pub")
        for file in [key, publicKey] { try? FileManager.default.removeItem(atPath: file) }
        _ = try measure(["keys", "create", "--out", work, "--name", "bench"])
        _ = try measure(["export", "--db", ledger, "--format", "json", "--key", key, "--output", export])
        defer { try? FileManager.default.removeItem(atPath: export) }
        return try measure(["audit-verify", "--export", export, "--public-key", publicKey])
    }

    /// Runs `shiplog` with `arguments`, standard output discarded; fails unless it exits 0.
    ///
    /// The child is started by a small Python process that forks and waits for it: a child
    /// spawned from this (large) process directly would report this process's resident size as
    /// its own peak, because Linux carries the high-water mark of the memory the child shared
    /// before `exec` into its `ru_maxrss`.
    private func measure(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.runner, shiplog] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let fields = text.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard process.terminationStatus == 0, fields.count == 2 else {
            throw ValidationError("shiplog \(arguments.joined(separator: " ")) failed (status \(process.terminationStatus))")
        }
        // Linux reports ru_maxrss in KiB.
        return Run(seconds: fields[0], peakMegabytes: fields[1] / 1024)
    }

    /// Forks, runs argv[1:] with standard output discarded, and prints its wall time and its own peak RSS.
    private static let runner = """
        import os, sys, time
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:
            null = os.open("/dev/null", os.O_WRONLY)
            os.dup2(null, 1)
            os.execv(sys.argv[1], sys.argv[1:])
        _, status, usage = os.wait4(pid, 0)
        elapsed = time.monotonic() - started
        if status != 0:
            sys.exit(1)
        print(f"{elapsed:.3f} {usage.ru_maxrss}")
        """

    private func path(_ name: String) -> String { URL(fileURLWithPath: work).appending(path: name).path }
}
