import Access
import Foundation
import Hummingbird
import Ledger
import NIOCore
import Reports

/// What an auditor asks the service for: reports of a period, Merkle proofs (RFC 6962) that an
/// event is in the log and that the log only grew, and a signed checkpoint of its head.
struct ProofsController {
    let backend: Backend
    /// Signs checkpoints; nil when the service was started without a key.
    let signer: NoteSigner?

    var endpoints: RouteCollection<ShiplogRequestContext> {
        RouteCollection(context: ShiplogRequestContext.self)
            .get("reports", use: report)
            .get("proofs/inclusion", use: inclusion)
            .get("proofs/consistency", use: consistency)
            .get("checkpoint", use: checkpoint)
            .get("checkpoints", use: checkpoints)
            .get("deployments/:id/receipt", use: receipt)
    }

    /// An RFC 6962 inclusion proof as the API writes it: hashes in hex, the leaf index beside the
    /// position it is one less than.
    struct InclusionBody: ResponseEncodable {
        var position: Int64
        var leafIndex: Int64
        var treeSize: UInt64
        var eventHash: String
        var leafHash: String
        var root: String
        var path: [String]

        init(_ proof: InclusionProof) {
            position = proof.position
            leafIndex = proof.position - 1
            treeSize = proof.treeSize
            eventHash = proof.eventHash.hexString
            leafHash = proof.leafHash.hexString
            root = proof.root.hexString
            path = proof.hashes.map(\.hexString)
        }
    }

    /// An RFC 6962 consistency proof, hashes in hex.
    struct ConsistencyBody: ResponseEncodable {
        var oldSize: UInt64
        var newSize: UInt64
        var oldRoot: String
        var newRoot: String
        var path: [String]

        init(_ proof: ConsistencyProof) {
            oldSize = proof.oldSize
            newSize = proof.newSize
            oldRoot = proof.oldRoot.hexString
            newRoot = proof.newRoot.hexString
            path = proof.hashes.map(\.hexString)
        }
    }

    /// A deployment's receipt, proven against the newest stored checkpoint that covers it, or
    /// against one signed now when none does and the service has a key.
    @Sendable func receipt(_ request: Request, context: ShiplogRequestContext) async throws -> Response {
        try await backend.authorize(.read, context)
        _ = try QueryReader(request, allowed: [])
        let given = try Names.pathParameter("id", context, what: "deployment id")
        let id = given.hasPrefix("deployment-") ? given : "deployment-\(given)"
        let stored = try await backend.store.reading { store -> String?? in
            try store.events(EventFilter(stream: id)).last.map { last in try store.checkpoint(covering: last.position) }
        }
        guard let stored else { throw HTTPError(.notFound, message: "no deployment '\(id)'") }
        let note: String
        if let stored {
            note = stored
        } else if let signer {
            note = try await backend.store.signCheckpoint(origin: signer.name, signer: signer, time: Date())
        } else {
            throw HTTPError(.serviceUnavailable, message: "no stored checkpoint covers \(id) and this service has no signing key (shiplog serve --signing-key)")
        }
        let text = try await backend.store.reading { try DeploymentReceipt(deployment: id, store: $0, checkpoint: note).jsonText() }
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// The export of `shiplog export`: `?format=csv|json|markdown|html`, `since`, `until`, `app`, `environment`,
    /// `previous_size`.
    @Sendable func report(_ request: Request, context: ShiplogRequestContext) async throws -> Response {
        try await backend.authorize(.read, context)
        let query = try QueryReader(request, allowed: ["format", "since", "until", "app", "environment", "previous_size"])
        let format = try query.choice("format", ReportFormat.self) ?? .json
        // Streamed from one snapshot as the client reads it: a full JSON export is hundreds of megabytes.
        let report = try await StreamedReport.start(format, ReportRequest(
            since: try query.time("since"), until: try query.time("until"), app: try query.name("app"),
            environment: try query.name("environment"), signer: signer, previousSize: try query.integer("previous_size", in: 0...Int64.max).map(UInt64.init),
            includesEvents: format.carriesEvents), from: backend.store)
        let contentType = switch format {
        case .csv: "text/csv; charset=utf-8"
        case .json: "application/json; charset=utf-8"
        case .markdown: "text/markdown; charset=utf-8"
        case .html: "text/html; charset=utf-8"
        }
        return Response(status: .ok, headers: [.contentType: contentType], body: ResponseBody { writer in
            for try await chunk in report { try await writer.write(ByteBuffer(bytes: chunk)) }
            try await writer.finish(nil)
        })
    }

    @Sendable func inclusion(_ request: Request, context: ShiplogRequestContext) async throws -> InclusionBody {
        try await backend.authorize(.read, context)
        let query = try QueryReader(request, allowed: ["position", "tree_size"])
        guard let position = try query.integer("position", in: 1...Int64.max) else {
            throw HTTPError(.badRequest, message: "position is required")
        }
        let size = try query.integer("tree_size", in: 1...Int64.max).map(UInt64.init)
        return InclusionBody(try await proving { try $0.inclusionProof(position: position, treeSize: size) })
    }

    @Sendable func consistency(_ request: Request, context: ShiplogRequestContext) async throws -> ConsistencyBody {
        try await backend.authorize(.read, context)
        let query = try QueryReader(request, allowed: ["from", "to"])
        guard let from = try query.integer("from", in: 0...Int64.max) else { throw HTTPError(.badRequest, message: "from is required") }
        let to = try query.integer("to", in: 0...Int64.max).map(UInt64.init)
        return ConsistencyBody(try await proving { try $0.consistencyProof(from: UInt64(from), to: to) })
    }

    /// The log's head as a signed C2SP checkpoint (a signed note): the stored one when it is of the
    /// head, else one signed now and stored as `shiplog checkpoint` stores it.
    @Sendable func checkpoint(_ request: Request, context: ShiplogRequestContext) async throws -> Response {
        try await backend.authorize(.read, context)
        _ = try QueryReader(request, allowed: [])
        guard let signer else {
            throw HTTPError(.serviceUnavailable, message: "this service has no signing key (shiplog serve --signing-key)")
        }
        let stored = try await backend.store.reading { store -> String? in
            let size = UInt64(try store.head()?.position ?? 0)
            guard let stored = try store.latestCheckpoint(), try store.latestCheckpointSize() == size else { return nil }
            return stored
        }
        let note: String
        if let stored {
            note = stored
        } else {
            note = try await backend.store.signCheckpoint(origin: signer.name, signer: signer, time: Date())
        }
        return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: note)))
    }

    /// Every stored checkpoint: what a client holds the events it fetched to, as `shiplog verify`
    /// holds the log to them.
    struct CheckpointList: ResponseEncodable {
        struct Stored: Encodable {
            var signedAt: String
            var note: String
        }

        var checkpoints: [Stored]
    }

    @Sendable func checkpoints(_ request: Request, context: ShiplogRequestContext) async throws -> CheckpointList {
        try await backend.authorize(.read, context)
        _ = try QueryReader(request, allowed: [])
        let notes = try await backend.store.reading { try $0.checkpointNotes() }
        return CheckpointList(checkpoints: notes.map { CheckpointList.Stored(signedAt: $0.signedAt, note: $0.note) })
    }

    /// Reads a proof of the store; out-of-range sizes and positions are the caller's mistake: 400, not 500.
    private func proving<Proof: Sendable>(_ body: @escaping @Sendable (EventStore) throws -> Proof) async throws -> Proof {
        do {
            return try await backend.store.reading(body)
        } catch let error as TransparencyError {
            throw HTTPError(.badRequest, message: error.message)
        }
    }
}
