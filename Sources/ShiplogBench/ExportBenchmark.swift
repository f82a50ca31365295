import ArgumentParser
import Foundation
import Reports

/// Whole exports of a ledger and the offline audit of the JSON one, each run
/// as the real `shiplog` binary in a process of its own: its time and its
/// peak resident memory (the child's own `ru_maxrss`, from `wait4`).
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
    private func measure(_ arguments: [String]) throws -> Run {
        // posix_spawn and wait4 rather than Process: wait4 gives this child's own rusage.
        let argv = ([shiplog] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        let started = ContinuousClock.now
        guard posix_spawn(&pid, shiplog, &actions, nil, argv, environ) == 0 else {
            throw ValidationError("cannot run \(shiplog)")
        }
        var status: Int32 = 0
        var usage = rusage()
        guard wait4(pid, &status, 0, &usage) == pid else { throw ValidationError("lost shiplog \(arguments[0])") }
        let elapsed = ContinuousClock.now - started
        // Exited (no signal) with status 0.
        guard status & 0x7F == 0, (status >> 8) & 0xFF == 0 else {
            throw ValidationError("shiplog \(arguments.joined(separator: " ")) failed (status \(status))")
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        // Linux reports ru_maxrss in KiB.
        return Run(seconds: seconds, peakMegabytes: Double(usage.ru_maxrss) / 1024)
    }

    private func path(_ name: String) -> String { URL(fileURLWithPath: work).appending(path: name).path }
}
