import ArgumentParser
import Foundation
import Ledger
import Reports

struct AuditVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit-verify",
        abstract: "Check an export or a receipt offline.",
        discussion: "Checks a JSON export or a deployment receipt without the database. Exits 0 with a summary when everything holds; exits 1 with one line naming the first thing that does not."
    )

    @Option(help: ArgumentHelp("The JSON export (`shiplog export --format json --key ...`).", valueName: "file"))
    var export: String?

    @Option(help: ArgumentHelp("A deployment receipt (`shiplog proof deployment ID`).", valueName: "file"))
    var receipt: String?

    @Option(help: ArgumentHelp("The log's public key (<name>.pub from `shiplog keys create`).", valueName: "file"))
    var publicKey: String

    @Option(help: ArgumentHelp("An older checkpoint you kept: the export's log must extend it.", valueName: "file"))
    var previousCheckpoint: String?

    func validate() throws {
        guard (export == nil) != (receipt == nil) else { throw ValidationError("give one of --export and --receipt") }
        if receipt != nil, previousCheckpoint != nil { throw ValidationError("--previous-checkpoint goes with --export") }
    }

    func run() async throws {
        let verifier = try NoteVerifier(keyText: try readText(publicKey, what: "public key"))
        if let receipt { return try verifyReceipt(receipt, verifier) }
        guard let export else { return }
        let previous = try previousCheckpoint.map { try readText($0, what: "previous checkpoint") }
        guard FileManager.default.isReadableFile(atPath: export) else {
            throw CommandFailure("cannot read the export \(export): no such file or not readable")
        }
        // Read as it is checked, an event at a time: a full export is hundreds of megabytes.
        let reader = try ExportReader(path: export)
        let (head, rows) = try reader.headAndRows()
        do {
            let result = try AuditVerifier(publicKey: verifier).verify(head: head, rows: rows, previousCheckpoint: previous) { try reader.forEachEvent($0) }
            var summary = "verified: \(result.events) events and \(result.deployments) deployments hash to the signed root \(result.root.hexString) of tree size \(result.treeSize)"
            if let old = result.extends { summary += "; it extends the previous checkpoint of size \(old)" }
            emit(summary)
        } catch let error as TransparencyError where [.verificationFailed, .badSignature].contains(error.code) {
            complain("audit failed: \(error.message)")
            throw ExitCode.failure
        }
    }

    private func verifyReceipt(_ path: String, _ verifier: NoteVerifier) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure("cannot read the receipt \(path): no such file or not readable")
        }
        let receipt: DeploymentReceipt
        do {
            receipt = try JSONDecoder().decode(DeploymentReceipt.self, from: data)
        } catch {
            throw CommandFailure("\(path) is not a deployment receipt (shiplog.receipt/1)")
        }
        do {
            let result = try ReceiptVerifier(publicKey: verifier).verify(receipt)
            emit("verified: \(result.events) events of \(result.deployment) are in the signed tree of size \(result.treeSize), root \(result.root.hexString)")
        } catch let error as TransparencyError {
            complain("audit failed: \(error.message)")
            throw ExitCode.failure
        }
    }
}
