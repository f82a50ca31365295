import Clocks
import Crypto
import Foundation
import Ledger
import Synchronization

/// API tokens, kept as events in the `tokens` stream: `TokenIssued` with the SHA-256 of the
/// secret (the secret itself is shown once and never stored), `TokenRevoked` to withdraw one.
///
/// Look-ups are served from memory and refreshed whenever the stream has moved, so a token
/// revoked by the CLI in another process stops working on the service's next request. A token
/// may expire: past its `expires_at` (by `clock`) it is no identity at all, as a revoked one.
///
/// When a token last authenticated a request is operational state, not history: it is kept
/// beside the log (`service_state`), written at most once a minute per token, never appended.
///
/// ```swift
/// let tokens = AccessTokens(store: store)
/// let issued = try await tokens.issue(name: "ci", role: .deployer, metadata: metadata)
/// print(issued.secret)   // shiplog_...; only its hash is kept
/// ```
public final class AccessTokens: Sendable {
    /// One token as `token list` shows it; never its secret.
    public struct Record: Sendable, Equatable, Codable {
        public var id: String
        public var name: String
        public var role: Role
        public var issuedAt: String
        public var issuedBy: String?
        public var revokedAt: String?
        public var revokedBy: String?
        /// When it stops working; nil when it does not expire.
        public var expiresAt: String?
        /// When it last authenticated a request, to the minute; nil when never (or not yet seen).
        public var lastUsedAt: String?
        /// Not revoked; it may still have expired (`expiresAt`).
        public var isActive: Bool { revokedAt == nil }
    }

    /// A token just issued: the secret is in here and nowhere else.
    public struct Issued: Sendable, Equatable {
        public var record: Record
        public var secret: String
    }

    static let stream = "tokens"
    static let secretPrefix = "shiplog_"

    /// An active token as a request presents it: who it is, and until when.
    private struct Credential {
        var identity: APIIdentity
        var expiresAt: Date?
    }

    private struct Snapshot {
        var version: Int64 = -1
        var records: [Record] = []
        var byHash: [String: Credential] = [:]
    }

    /// What is kept in `service_state` under ``lastUseKey(_:)``.
    private struct LastUse: Codable {
        var lastUsedAt: String

        enum CodingKeys: String, CodingKey {
            case lastUsedAt = "last_used_at"
        }
    }

    /// Last uses are written at most this often per token.
    static let lastUseInterval: TimeInterval = 60

    private let store: EventStore
    private let clock: any ShiplogClock
    private let snapshot = Mutex(Snapshot())
    /// When each token's last use was last written, by this process.
    private let lastUseWritten = Mutex<[String: Date]>([:])

    /// - Parameter clock: the wall clock expiries are set and checked by (tests step a fixed one).
    public init(store: EventStore, clock: any ShiplogClock = SystemClock()) {
        self.store = store
        self.clock = clock
    }

    /// Issues a token named `name` with `role`; the name must be unused by an active token.
    ///
    /// - Parameter lifetime: how long it works from now, by the wall clock; nil for a token that
    ///   does not expire.
    public func issue(name: String, role: Role, expiresIn lifetime: TokenLifetime? = nil, metadata: EventMetadata) async throws -> Issued {
        try Self.validate(name: name)
        let current = try refreshed()
        if current.records.contains(where: { $0.name == name && $0.isActive }) {
            throw TokenError.conflict("an active token is already named '\(name)'; revoke it first or pick another name")
        }
        let secret = Self.secretPrefix + Self.randomBase64URL(byteCount: 32)
        let id = Self.randomHex(byteCount: 6)
        let expiresAt = lifetime.map { Timestamp.string(from: clock.now.addingTimeInterval($0.seconds)) }
        let issued = TokenIssued(tokenId: id, name: name, role: role.rawValue, hash: Self.hash(secret), expiresAt: expiresAt)
        let event = NewEvent(stream: Self.stream, issued, metadata: metadata)
        // Expecting the version just read makes two concurrent issues of one name collide.
        let result = try await store.append([event], expectedVersion: current.version == 0 ? .noStream : .exactly(current.version))
        let recorded = result.events[0]
        let record = Record(id: id, name: name, role: role, issuedAt: recorded.recordedAt, issuedBy: metadata.effectiveActor,
                            expiresAt: expiresAt)
        return Issued(record: record, secret: secret)
    }

    /// Revokes the token with `id` (or, when no id matches, the active token named `id`).
    @discardableResult
    public func revoke(_ idOrName: String, metadata: EventMetadata) async throws -> Record {
        let current = try refreshed()
        let matches = current.records.filter { $0.id == idOrName } + current.records.filter { $0.name == idOrName && $0.isActive }
        guard let record = matches.first else { throw TokenError.notFound("no token with id or name '\(idOrName)'") }
        guard record.isActive else { throw TokenError.conflict("token \(record.id) (\(record.name)) was already revoked at \(record.revokedAt ?? "")") }
        _ = try await store.append([NewEvent(stream: Self.stream, TokenRevoked(tokenId: record.id), metadata: metadata)],
                                   expectedVersion: .exactly(current.version))
        return try refreshed().records.first { $0.id == record.id } ?? record
    }

    /// Every token ever issued, oldest first, with when each was last used.
    public func list() throws -> [Record] {
        try refreshed().records.map { record in
            var record = record
            record.lastUsedAt = try store.serviceState(Self.lastUseKey(record.id))
                .flatMap { try? JSONDecoder().decode(LastUse.self, from: Data($0.utf8)).lastUsedAt }
            return record
        }
    }

    /// The identity whose token is `secret`, or nil when it is unknown, revoked or expired.
    public func identity(secret: String) throws -> APIIdentity? {
        guard secret.hasPrefix(Self.secretPrefix), let credential = try refreshed().byHash[Self.hash(secret)] else { return nil }
        if let expiry = credential.expiresAt, clock.now >= expiry { return nil }
        return credential.identity
    }

    /// ``identity(secret:)``, noting the token's use when it is valid (see ``noteUse(of:)``).
    public func authenticate(secret: String) async throws -> APIIdentity? {
        guard let identity = try identity(secret: secret) else { return nil }
        await noteUse(of: identity)
        return identity
    }

    /// Keeps when `identity`'s token was used, unless this process wrote it less than
    /// ``lastUseInterval`` ago: a busy token costs one small write a minute, not one a request.
    /// A failed write is only a stale "last used", so it does not fail the request.
    public func noteUse(of identity: APIIdentity) async {
        let now = clock.now
        let due = lastUseWritten.withLock { written in
            if let last = written[identity.tokenId], now.timeIntervalSince(last) < Self.lastUseInterval { return false }
            written[identity.tokenId] = now
            return true
        }
        guard due, let value = try? JSONEncoder().encode(LastUse(lastUsedAt: Timestamp.string(from: now))) else { return }
        try? await store.saveServiceState(Self.lastUseKey(identity.tokenId), value: String(decoding: value, as: UTF8.self), now: now)
    }

    static func lastUseKey(_ tokenId: String) -> String {
        "token.last_used.\(tokenId)"
    }

    /// Token names are what records show as the actor: a login-like word, no spaces or paths.
    static func validate(name: String) throws {
        guard !name.isEmpty, name.utf8.count <= 64, NameRule.isValid(name), name.first != "." else {
            throw TokenError.badRequest("token name must be 1-64 letters, digits, '.', '_', '-', '@', '[' or ']', not '\(name)'")
        }
    }

    /// Runs on every request: hex by table, as the ledger writes hashes (`String(format:)` per
    /// byte took a third of a read's time).
    static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).hexString
    }

    /// The snapshot, re-read from the stream when it has moved since it was taken.
    private func refreshed() throws -> Snapshot {
        let version = try store.streamVersion(Self.stream)
        if let current = snapshot.withLock({ $0.version == version ? $0 : nil }) { return current }
        var fresh = Snapshot(version: version)
        var hashes: [String: String] = [:]
        for event in try store.events(EventFilter(stream: Self.stream)) {
            let metadata = event.decodedMetadata()
            switch event.type {
            case TokenIssued.eventType:
                let issued = try TokenIssued.decode(from: event.data)
                guard let role = Role(rawValue: issued.role) else { continue }
                fresh.records.append(Record(id: issued.tokenId, name: issued.name, role: role, issuedAt: event.recordedAt,
                                            issuedBy: metadata.effectiveActor, expiresAt: issued.expiresAt))
                hashes[issued.tokenId] = issued.hash
            case TokenRevoked.eventType:
                let revoked = try TokenRevoked.decode(from: event.data)
                if let index = fresh.records.firstIndex(where: { $0.id == revoked.tokenId }) {
                    fresh.records[index].revokedAt = event.recordedAt
                    fresh.records[index].revokedBy = metadata.effectiveActor
                }
            default:
                continue
            }
        }
        for record in fresh.records where record.isActive {
            guard let hash = hashes[record.id] else { continue }
            let identity = APIIdentity(tokenId: record.id, name: record.name, role: record.role)
            // An expiry that does not parse (the ledger wrote it, so it should) fails closed.
            let expiresAt = record.expiresAt.map { Timestamp.date(from: $0) ?? .distantPast }
            fresh.byHash[hash] = Credential(identity: identity, expiresAt: expiresAt)
        }
        snapshot.withLock { $0 = fresh }
        return fresh
    }

    private static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    private static func randomBase64URL(byteCount: Int) -> String {
        Data(randomBytes(byteCount)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    private static func randomHex(byteCount: Int) -> String {
        randomBytes(byteCount).map { String(format: "%02x", $0) }.joined()
    }
}
