import ArgumentParser
import Foundation
import Ledger
import NIOHTTP1
import Reports

extension ReportFormat: ExpressibleByArgument {}

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Deployments with the DORA measures, as a report.",
        discussion: """
            Deployments over a period as CSV, JSON, Markdown or HTML. Every export embeds the checkpoint \
            (tree size and root hash) it was made at; with --key it is signed. The JSON form also carries the events the deployments come from, for `shiplog audit-verify`.
            """
    )

    @OptionGroup var global: DatabaseOptions
    @OptionGroup var service: ServiceOptions

    @Option(help: .choosing("The form of the report", ReportFormat.self))
    var format: ReportFormat = .json

    @Option(help: "Only deployments started at or after this time (2026-11-27 or ISO 8601).", transform: TimeBound.init)
    var since: TimeBound?

    @Option(help: "Only deployments started before this time.", transform: TimeBound.init)
    var until: TimeBound?

    @Option(help: "Only this app.")
    var app: String?

    @Option(name: [.customLong("environment"), .customLong("env")], help: "Only this environment.")
    var environment: String?

    @Option(help: ArgumentHelp("Write here instead of standard output.", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("Sign the embedded checkpoint with this key (from `shiplog keys create`).", valueName: "file"))
    var key: String?

    @Option(help: "The checkpoint's origin line (default: the key's name).")
    var origin: String?

    @Option(help: ArgumentHelp("Embed a consistency proof from this older checkpoint an auditor holds.", valueName: "file"))
    var previousCheckpoint: String?

    func run() async throws {
        let previousSize = try previousCheckpoint.map { try CheckpointFile.size(of: try readText($0, what: "previous checkpoint")) }
        if let client = try service.client(global) { return try await run(through: client, previousSize: previousSize) }
        let signer = try key.map { try NoteSigner(keyText: try readText($0, what: "key")) }
        let store = try global.openStore(.readOnly)
        let request = ReportRequest(
            since: since?.timestamp, until: until?.timestamp, app: app, environment: environment,
            signer: signer, origin: origin, previousSize: previousSize, includesEvents: format.carriesEvents)
        // Written as the ledger is read, a chunk at a time: a full export is hundreds of megabytes.
        if let output {
            try writeAtomically(to: output) { handle in
                try format.write(request, from: store, to: ReportOutput { try handle.write($0, naming: output) })
            }
        } else {
            try format.write(request, from: store, to: ReportOutput { try FileHandle.standardOutput.write(contentsOf: $0) })
        }
    }
}

extension Export {
    /// The same report from the service, which signs it with its own key when it has one.
    private func run(through client: ServiceClient, previousSize: UInt64?) async throws {
        if key != nil || origin != nil {
            throw CommandFailure("--key and --origin sign a local export; a service signs with its own key (shiplog serve --signing-key)")
        }
        let mediaType = switch format {
        case .csv: "text/csv"
        case .json: "application/json"
        case .markdown: "text/markdown"
        case .html: "text/html"
        }
        // Held whole before it is written: a report from a service is written all or not at all.
        let report = try await client.send(.GET, "/api/v1/reports", query: [
            ("format", format.rawValue), ("since", since?.timestamp), ("until", until?.timestamp), ("app", app), ("environment", environment),
            ("previous_size", previousSize.map(String.init)),
        ], accepting: mediaType).body
        struct Head: Decodable { var schema: String }
        if format == .json, (try? JSONDecoder().decode(Head.self, from: report))?.schema != Report.currentSchema {
            throw ServiceError.notShiplog("\(client.baseURL) does not answer /api/v1/reports as a shiplog service does (not a \(Report.currentSchema) report)")
        }
        if let output {
            try writeAtomically(report, to: output)
        } else {
            try FileHandle.standardOutput.write(contentsOf: report)
        }
    }
}

/// Reads a whole text file, or fails naming it.
func readText(_ path: String, what: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw CommandFailure("cannot read the \(what) \(path): no such file or not readable")
    }
    return String(decoding: data, as: UTF8.self)
}

/// Writes `bytes` to a temporary file beside `path`, then renames it: a
/// reader never sees half a file, and a failure leaves nothing behind.
func writeAtomically(_ bytes: some DataProtocol, to path: String) throws {
    try writeAtomically(to: path) { try $0.write(bytes, naming: path) }
}

/// Runs `write` on a temporary file beside `path`, then renames it over `path`;
/// when `write` throws, the temporary file is removed, `path` is left as it
/// was, and the error goes on as it was thrown.
func writeAtomically(to path: String, _ write: (FileHandle) throws -> Void) throws {
    let temporary = path + ".tmp-\(getpid())"
    guard FileManager.default.createFile(atPath: temporary, contents: nil), let handle = FileHandle(forWritingAtPath: temporary) else {
        throw CommandFailure("cannot write \(path): the directory is missing or not writable")
    }
    do {
        try write(handle)
        do {
            try handle.close()
        } catch {
            throw CommandFailure("cannot write \(path): \(error)")
        }
        guard rename(temporary, path) == 0 else { throw CommandFailure("cannot write \(path): \(String(cString: strerror(errno)))") }
    } catch {
        try? handle.close()
        unlink(temporary)
        throw error
    }
}

extension FileHandle {
    /// Writes `bytes`, or fails naming the file.
    func write(_ bytes: some DataProtocol, naming path: String) throws {
        do {
            try write(contentsOf: bytes)
        } catch {
            throw CommandFailure("cannot write \(path): \(error)")
        }
    }
}

/// Checkpoints as files: a signed note whose text is a C2SP checkpoint.
enum CheckpointFile {
    /// The tree size of a checkpoint note (signed or not); the signature is checked by `audit-verify`.
    static func size(of note: String) throws -> UInt64 {
        let body = note.range(of: "\n\n", options: .backwards).map { String(note[..<$0.lowerBound]) + "\n" } ?? note
        return try Checkpoint(body: body).size
    }
}
