import Foundation
import Ledger

/// `shiplog verify` through a service, trusting it as little as it can: the service runs the
/// checks only the database can (SQLite's integrity check, the columns derived from hashed
/// content, the stored Merkle nodes), and the client recomputes from the events it fetches the
/// hash chain, every event's hash, the Merkle tree, and each stored checkpoint's root at its size.
///
/// What that proves: the log the service hands out is one intact chain, its head is the one the
/// service's own check reached, and every checkpoint it stored is a tree of that log. What it
/// cannot: that a service whose operator rewrote the log and every stored checkpoint did not; an
/// auditor's own older checkpoint (`shiplog export --previous-checkpoint`) catches that.
struct ServiceVerifier {
    let client: ServiceClient

    /// What a verification found, locally or through the service.
    struct Verdict {
        var count: Int64
        var headHash: [UInt8]
        var checkpoints: Int
        var failure: (position: Int64?, reason: String)?
    }

    func verify(quick: Bool) async throws -> Verdict {
        struct Stored: Decodable {
            struct Note: Decodable {
                var signedAt: String
                var note: String
            }
            var checkpoints: [Note]
        }
        struct Report: Decodable {
            var ok: Bool
            var events: Int64
            var headHash: String?
            var firstBadPosition: Int64?
            var reason: String?
        }
        // Checkpoints first: any the service signs meanwhile are of a log at least as long as the one then verified.
        let stored: Stored = try await client.get("/api/v1/checkpoints")
        let checkpoints = try stored.checkpoints.map { stored in
            guard let checkpoint = try? Checkpoint(body: Self.body(of: stored.note)) else {
                throw ServiceError.notShiplog("\(client.baseURL) does not answer /api/v1/checkpoints as a shiplog service does (a note is not a checkpoint)")
            }
            return (checkpoint: checkpoint, signedAt: stored.signedAt)
        }.sorted { $0.checkpoint.size < $1.checkpoint.size }
        let report: Report = try await client.get("/api/v1/verify", query: [("quick", quick ? "true" : nil)])
        guard report.ok else {
            return Verdict(count: max(0, (report.firstBadPosition ?? 1) - 1), headHash: [], checkpoints: 0,
                           failure: (position: report.firstBadPosition, reason: report.reason ?? "the service's own check failed"))
        }
        var pending = checkpoints[...]
        var held = 0
        var lastMatched: UInt64 = 0
        var previousHash = EventHasher.genesis
        var frontier = MerkleFrontier()
        var position: Int64 = 0
        func failed(_ at: Int64?, _ reason: String) -> Verdict {
            Verdict(count: position, headHash: previousHash, checkpoints: held, failure: (position: at, reason: reason))
        }
        while position < report.events {
            let events = try await client.events(after: position, limit: Int(min(1000, report.events - position)))
            guard !events.isEmpty else { break }
            for event in events {
                let expected = position + 1
                if event.position != expected { return failed(expected, "position \(expected) is missing (next is \(event.position))") }
                if event.prevHash != previousHash {
                    return failed(event.position, "its previous hash does not match the hash of position \(event.position - 1)")
                }
                if EventHasher.hash(of: event) != event.hash { return failed(event.position, "its content does not match its hash") }
                frontier.append(Merkle.leafHash(event.hash))
                previousHash = event.hash
                position = expected
                while let stored = pending.first, stored.checkpoint.size == frontier.size {
                    pending = pending.dropFirst()
                    guard stored.checkpoint.root == frontier.root else {
                        let from = lastMatched + 1
                        return failed(Int64(from), "the checkpoint of size \(stored.checkpoint.size) signed at \(stored.signedAt) has another root than the log: the log and the checkpointed tree part between positions \(from) and \(stored.checkpoint.size)")
                    }
                    held += 1
                    lastMatched = stored.checkpoint.size
                }
            }
        }
        if position < report.events {
            return failed(position + 1, "the service verified \(report.events) events but hands out \(position)")
        }
        if let stored = pending.first {
            return failed(position + 1, "the log has \(position) events but a checkpoint of size \(stored.checkpoint.size) was signed at \(stored.signedAt): the log was truncated (positions \(position + 1)-\(stored.checkpoint.size) are gone)")
        }
        if let head = report.headHash, head != previousHash.hexString {
            return failed(position, "the service's own check ends at hash \(head), the events it hands out at \(previousHash.hexString)")
        }
        return Verdict(count: position, headHash: previousHash, checkpoints: held, failure: nil)
    }

    /// A signed note's text without its signature lines.
    private static func body(of note: String) -> String {
        note.range(of: "\n\n", options: .backwards).map { String(note[..<$0.lowerBound]) + "\n" } ?? note
    }
}
