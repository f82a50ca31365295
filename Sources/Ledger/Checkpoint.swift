import Foundation

/// A tree head in the C2SP tlog-checkpoint text format: the origin line, the
/// tree size in decimal, the root hash in base64, then optional extension
/// lines; shiplog adds one, `time <UTC ISO 8601>`, saying when it was made.
///
/// The body is what a signed note (``NoteSigner``) signs.
///
/// ```
/// shiplog.example/ledger
/// 1042
/// 2z3qX8p4...=
/// time 2026-11-27T10:00:00Z
/// ```
public struct Checkpoint: Sendable, Equatable {
    public var origin: String
    public var size: UInt64
    public var root: Merkle.Hash
    /// Extension lines after the root hash, without their newlines.
    public var extensions: [String]

    public init(origin: String, size: UInt64, root: Merkle.Hash, time: String? = nil) {
        self.origin = origin
        self.size = size
        self.root = root
        extensions = time.map { ["time \($0)"] } ?? []
    }

    /// The `time` extension, if present.
    public var time: String? {
        extensions.first { $0.hasPrefix("time ") }.map { String($0.dropFirst(5)) }
    }

    /// The note text: every line ends with a newline.
    public var body: String {
        ([origin, String(size), Data(root).base64EncodedString()] + extensions).map { $0 + "\n" }.joined()
    }

    /// Parses a checkpoint body (the text of a note, without its signatures).
    ///
    /// - Throws: ``TransparencyError/malformed(_:)`` naming the bad line.
    public init(body: String) throws {
        guard body.hasSuffix("\n") else { throw TransparencyError.malformed("checkpoint: the text does not end with a newline") }
        let lines = body.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count >= 3 else { throw TransparencyError.malformed("checkpoint: expected an origin, a tree size and a root hash, got \(lines.count) lines") }
        guard !lines[0].isEmpty else { throw TransparencyError.malformed("checkpoint: the origin line is empty") }
        guard let size = UInt64(lines[1]), String(size) == lines[1] else {
            throw TransparencyError.malformed("checkpoint: the tree size '\(lines[1])' is not a decimal number")
        }
        guard let root = Data(base64Encoded: lines[2]), root.count == 32 else {
            throw TransparencyError.malformed("checkpoint: the root hash is not 32 bytes of base64")
        }
        guard !lines.dropFirst(3).contains(where: \.isEmpty) else { throw TransparencyError.malformed("checkpoint: an empty extension line") }
        origin = lines[0]
        self.size = size
        self.root = Array(root)
        extensions = Array(lines.dropFirst(3))
    }
}
