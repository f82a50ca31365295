/// A tile of the log as C2SP tlog-tiles (https://c2sp.org/tlog-tiles) names it: 256 hashes of
/// one level of the Merkle tree, or a bundle of 256 entries, or a partial tile of fewer.
///
/// A hash tile at level `L` holds the tree's nodes at level `8 * L`, indexes `256 * N ..<
/// 256 * N + W`, each 32 bytes. An entry bundle holds entries `256 * N ..< 256 * N + W`, each a
/// big-endian uint16 length and the entry; shiplog's entry is the event's 32-byte hash, so the
/// tlog leaf hash of entry `i` is ``Merkle/leafHash(_:)`` of the event at position `i + 1`.
///
/// ```swift
/// let tile = try TlogTile(path: "tile/0/x001/234.p/7")   // level 0, N = 1234, W = 7
/// tile.path                                              // "tile/0/x001/234.p/7"
/// ```
public struct TlogTile: Sendable, Hashable {
    /// What a tile holds.
    public enum Kind: Sendable, Hashable {
        /// Merkle tree hashes at tree level `8 * level`.
        case hashes(level: Int)
        /// Entry bundles: the events' hashes.
        case entries
    }

    /// Tiles are 2^8 = 256 wide.
    public static let height = 8
    public static let fullWidth = 1 << height

    public let kind: Kind
    /// N: which tile of its level, from the left.
    public let index: UInt64
    /// W: how many hashes or entries it holds, 1 ... 256; 256 is a full tile.
    public let width: Int

    public var isFull: Bool { width == Self.fullWidth }

    /// A tile; `width` defaults to a full one.
    ///
    /// - Precondition: `width` is 1 ... 256 and a hash tile's level is 0 ... 7.
    public init(_ kind: Kind, index: UInt64, width: Int = TlogTile.fullWidth) {
        precondition((1...Self.fullWidth).contains(width))
        if case .hashes(let level) = kind { precondition((0..<64 / Self.height).contains(level)) }
        self.kind = kind
        self.index = index
        self.width = width
    }

    /// The tile's path under the log's prefix: `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`.
    public var path: String {
        let level = switch kind {
        case .hashes(let level): String(level)
        case .entries: "entries"
        }
        return "tile/\(level)/\(Self.encode(index))" + (isFull ? "" : ".p/\(width)")
    }

    /// Reads a tile path as ``path`` writes it; nothing else is accepted (no leading zeros in the
    /// level or width, no redundant `x000/` elements), so each tile has one path.
    ///
    /// - Throws: ``TransparencyError/malformed(_:)`` naming what is wrong.
    public init(path: String) throws {
        var elements = path.split(separator: "/", omittingEmptySubsequences: false)
        guard elements.count >= 3, elements[0] == "tile" else {
            throw TransparencyError.malformed("not a tile path (tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>])")
        }
        let kind: Kind
        if elements[1] == "entries" {
            kind = .entries
        } else if let level = Self.decimal(elements[1]), level < 64 / Self.height {
            kind = .hashes(level: Int(level))
        } else {
            throw TransparencyError.malformed("tile level '\(elements[1])' is not 0 to \(64 / Self.height - 1) nor 'entries'")
        }
        var width = Self.fullWidth
        if elements.count >= 4, elements[elements.count - 2].hasSuffix(".p") {
            let given = elements.removeLast()
            guard let value = Self.decimal(given), (1..<UInt64(Self.fullWidth)).contains(value) else {
                throw TransparencyError.malformed("partial tile width '\(given)' is not 1 to \(Self.fullWidth - 1)")
            }
            width = Int(value)
            elements[elements.count - 1] = elements[elements.count - 1].dropLast(2)
        }
        let index = try Self.decode(elements.dropFirst(2))
        self.init(kind, index: index, width: width)
    }

    /// N as 3-digit path elements, all but the last prefixed with `x`: 1234067 is `x001/x234/067`.
    static func encode(_ index: UInt64) -> String {
        var groups = [index % 1000]
        var rest = index / 1000
        while rest > 0 {
            groups.append(rest % 1000)
            rest /= 1000
        }
        return groups.reversed().enumerated().map { position, group in
            let digits = String(group)
            return (position == groups.count - 1 ? "" : "x") + String(repeating: "0", count: 3 - digits.count) + digits
        }.joined(separator: "/")
    }

    private static func decode(_ elements: some Collection<Substring>) throws -> UInt64 {
        var index: UInt64 = 0
        for (position, element) in elements.enumerated() {
            let isLast = position == elements.count - 1
            let digits = isLast ? element : element.hasPrefix("x") ? element.dropFirst() : ""
            guard digits.count == 3, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let group = UInt64(digits) else {
                throw TransparencyError.malformed("tile index element '\(element)' is not \(isLast ? "3 digits" : "'x' and 3 digits")")
            }
            let (scaled, overflow) = index.multipliedReportingOverflow(by: 1000)
            guard !overflow, scaled <= UInt64.max - group else { throw TransparencyError.malformed("tile index is too large") }
            index = scaled + group
        }
        guard encode(index) == elements.joined(separator: "/") else {
            throw TransparencyError.malformed("tile index '\(elements.joined(separator: "/"))' is not in its shortest form (\(encode(index)))")
        }
        return index
    }

    /// A decimal number without leading zeros.
    private static func decimal(_ text: Substring) -> UInt64? {
        guard let value = UInt64(text), String(value) == text else { return nil }
        return value
    }

    // MARK: Which tiles a tree has

    /// How many hashes (or entries) of this tile's kind a tree of `size` leaves has.
    public func available(inTreeOf size: UInt64) -> UInt64 {
        switch kind {
        case .entries: size
        case .hashes(let level): size >> UInt64(level * Self.height)
        }
    }

    /// Whether a tree of `size` leaves holds all of this tile. A partial tile stays valid as the
    /// tree grows: it is a prefix of the full tile.
    public func exists(inTreeOf size: UInt64) -> Bool {
        let available = available(inTreeOf: size)
        // Checked in this order, nothing overflows.
        return index <= available / UInt64(Self.fullWidth) && UInt64(width) <= available - index * UInt64(Self.fullWidth)
    }

    /// Every tile a client needs for a tree of `size` leaves: the full tiles of each level and,
    /// where a level does not end on a tile boundary, its partial tile; hash tiles level by level,
    /// then the entry bundles.
    public static func tiles(forTreeOf size: UInt64) -> [TlogTile] {
        var tiles: [TlogTile] = []
        var level = 0
        while level < 64 / height, size >> UInt64(level * height) > 0 {
            tiles += tilesOfLevel(.hashes(level: level), count: size >> UInt64(level * height))
            level += 1
        }
        return tiles + tilesOfLevel(.entries, count: size)
    }

    private static func tilesOfLevel(_ kind: Kind, count: UInt64) -> [TlogTile] {
        let full = count / UInt64(fullWidth), rest = Int(count % UInt64(fullWidth))
        return (0..<full).map { TlogTile(kind, index: $0) } + (rest > 0 ? [TlogTile(kind, index: full, width: rest)] : [])
    }
}
