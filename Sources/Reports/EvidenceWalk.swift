import Ledger

/// The events of an export taken one at a time, as ``AuditVerifier`` checks
/// them: each in order, hashing to its recorded hash and linked to the one
/// before, hashed onto the tree before them, and folded into deployments.
///
/// It keeps the first failure of each kind and stops checking rows after one,
/// so ``finish(checkpoint:)`` names the same failure as a check of all the rows
/// at once would: a reordering anywhere first, then the first bad row.
struct EvidenceWalk {
    private var tree: MerkleFrontier
    private var expected: Int64
    private var previousHash: [UInt8]?
    private var lastPosition: Int64?
    private var reordered: TransparencyError?
    private var rowFailure: TransparencyError?
    private let oldSize: UInt64?
    /// The root of the tree of `oldSize` events, once the walk has passed that size.
    private(set) var oldRoot: Merkle.Hash?
    /// The deployments the checked events make.
    private(set) var fold = DeploymentFold()
    /// The first event the fold refused, named.
    private(set) var foldFailure: TransparencyError?
    /// How many events were given.
    private(set) var rows = 0

    /// - Parameter oldSize: a tree size whose root to keep on the way (an older checkpoint's).
    /// - Parameter expectedDeployments: the rows the export lists, to make room for the fold.
    init(_ evidence: Report.Evidence, oldSize: UInt64?, expectedDeployments: Int = 0) throws {
        fold = DeploymentFold(expected: expectedDeployments)
        let prefixHashes = evidence.prefix.compactMap { [UInt8](hex: $0) }
        guard evidence.firstPosition >= 1, prefixHashes.count == evidence.prefix.count,
              let tree = MerkleFrontier(size: UInt64(evidence.firstPosition - 1), hashes: prefixHashes) else {
            throw TransparencyError.verificationFailed("the evidence's tree prefix does not fit its first position \(evidence.firstPosition)")
        }
        self.tree = tree
        self.oldSize = oldSize
        expected = evidence.firstPosition
        if oldSize == tree.size { oldRoot = tree.root }
    }

    mutating func visit(_ row: EvidenceEvent) {
        rows += 1
        if reordered == nil, let lastPosition, row.position < lastPosition {
            reordered = TransparencyError.verificationFailed("reordered rows: position \(row.position) comes after position \(lastPosition)")
        }
        lastPosition = row.position
        guard rowFailure == nil else { return }
        switch check(row) {
        case .failure(let failure):
            rowFailure = failure
        case .success(let event):
            tree.append(Merkle.leafHash(event.hash))
            previousHash = event.hash
            expected += 1
            if tree.size == oldSize { oldRoot = tree.root }
            guard foldFailure == nil else { return }
            do {
                try fold.apply(event)
            } catch {
                foldFailure = TransparencyError.verificationFailed("position \(row.position): \((error as? LedgerError)?.message ?? "\(error)")")
            }
        }
    }

    /// The root the events lead to, which must be the checkpoint's; else the first failure.
    func finish(checkpoint: Checkpoint) throws -> Merkle.Hash {
        if let reordered { throw reordered }
        if let rowFailure { throw rowFailure }
        if tree.size < checkpoint.size {
            throw TransparencyError.verificationFailed(
                "truncated log: the events end at position \(tree.size) but the signed checkpoint covers \(checkpoint.size)")
        }
        if tree.size > checkpoint.size {
            throw TransparencyError.verificationFailed(
                "the events run to position \(tree.size), past the signed checkpoint's \(checkpoint.size)")
        }
        guard tree.root == checkpoint.root else {
            throw TransparencyError.verificationFailed("the events do not hash to the signed root: a row or the tree before them was changed")
        }
        return tree.root
    }

    private func check(_ row: EvidenceEvent) -> Swift.Result<RecordedEvent, TransparencyError> {
        guard row.position == expected else {
            return .failure(row.position > expected
                ? TransparencyError.verificationFailed("dropped row: position \(expected) is missing (the next row is position \(row.position))")
                : TransparencyError.verificationFailed("duplicated row: position \(row.position) appears twice"))
        }
        guard let event = row.recorded else {
            return .failure(TransparencyError.verificationFailed("changed row: position \(row.position) has a hash that is not hex"))
        }
        guard EventHasher.hash(of: event) == event.hash else {
            return .failure(TransparencyError.verificationFailed("changed row: position \(row.position) does not hash to its recorded hash"))
        }
        if let previousHash, event.prevHash != previousHash {
            return .failure(TransparencyError.verificationFailed(
                "broken chain: position \(row.position)'s previous hash is not the hash of position \(row.position - 1)"))
        }
        return .success(event)
    }
}
