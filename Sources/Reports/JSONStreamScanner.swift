import Foundation
import Ledger

/// Reads JSON from a file a chunk at a time, a value at a time: the caller
/// walks objects and arrays member by member and either reads a value, keeps
/// its text, or skips it, so a file of any size is read in bounded memory.
///
/// Errors are ``TransparencyError/malformed(_:)`` saying the export is not JSON.
struct JSONStreamScanner {
    /// Nesting deeper than this is refused rather than followed (a report nests four deep).
    static let maximumDepth = 64

    private let handle: FileHandle
    private var chunk: [UInt8] = []
    private var index = 0
    /// The file offset of `chunk[0]`.
    private var chunkOffset: UInt64 = 0
    private var ended = false
    /// While set, every byte consumed is appended to it.
    private var capture: [UInt8]?

    init(handle: FileHandle, offset: UInt64 = 0) throws {
        self.handle = handle
        try handle.seek(toOffset: offset)
        chunkOffset = offset
    }

    /// The file offset of the next byte.
    var offset: UInt64 { chunkOffset + UInt64(index) }

    // MARK: Structure

    /// Reads an object, calling `member` with each key; `member` must consume the value.
    mutating func object(_ member: (inout JSONStreamScanner, String) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        if try peekSignificant() == UInt8(ascii: "}") { return advance() }
        while true {
            guard try peekSignificant() == 0x22 else { throw Self.notJSON }
            let key = try string()
            try expect(UInt8(ascii: ":"))
            try member(&self, key)
            switch try nextSignificant() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "}"): return
            default: throw Self.notJSON
            }
        }
    }

    /// Reads an array, calling `element` with each index; `element` must consume the value.
    mutating func array(_ element: (inout JSONStreamScanner, Int) throws -> Void) throws {
        try expect(UInt8(ascii: "["))
        if try peekSignificant() == UInt8(ascii: "]") { return advance() }
        var count = 0
        while true {
            try element(&self, count)
            count += 1
            switch try nextSignificant() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "]"): return
            default: throw Self.notJSON
            }
        }
    }

    /// The first byte of the next value: `{`, `[`, `"`, a digit or `-`, `t`, `f`, `n`.
    mutating func peekSignificant() throws -> UInt8? {
        while let byte = try peek() {
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return byte }
            advance()
        }
        return nil
    }

    /// Checks that nothing but whitespace is left.
    mutating func end() throws {
        guard try peekSignificant() == nil else { throw Self.notJSON }
    }

    // MARK: Values

    /// The next value's text, as it is in the file (for a decoder).
    mutating func text() throws -> [UInt8] {
        _ = try peekSignificant()
        capture = []
        defer { capture = nil }
        try skip()
        return capture ?? []
    }

    /// Skips the next value, checking that it is well-formed JSON.
    mutating func skip(depth: Int = 0) throws {
        guard depth < Self.maximumDepth else { throw Self.notJSON }
        switch try peekSignificant() {
        case UInt8(ascii: "{"): try object { scanner, _ in try scanner.skip(depth: depth + 1) }
        case UInt8(ascii: "["): try array { scanner, _ in try scanner.skip(depth: depth + 1) }
        case 0x22: _ = try string()
        default: _ = try scalar()
        }
    }

    /// A string value, unescaped.
    mutating func string() throws -> String {
        guard try nextSignificant() == 0x22 else { throw Self.notJSON }
        var bytes: [UInt8] = []
        while true {
            guard let byte = try next() else { throw Self.notJSON }
            switch byte {
            case 0x22: return String(decoding: bytes, as: UTF8.self)
            case 0x5C: try unescape(into: &bytes)
            case ..<0x20: throw Self.notJSON
            default: bytes.append(byte)
            }
        }
    }

    /// A number, `true`, `false` or `null`, as its text.
    mutating func scalar() throws -> String {
        _ = try peekSignificant()
        var bytes: [UInt8] = []
        while let byte = try peek(), byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || byte == UInt8(ascii: "E") {
            bytes.append(byte)
            advance()
        }
        let text = String(decoding: bytes, as: UTF8.self)
        if text == "true" || text == "false" || text == "null" { return text }
        let numeral = bytes.first.map { $0 == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } ?? false
        guard numeral, bytes.allSatisfy({ !(UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || $0 == UInt8(ascii: "e") }),
              Double(text) != nil else { throw Self.notJSON }
        return text
    }

    // MARK: Bytes

    private mutating func unescape(into bytes: inout [UInt8]) throws {
        guard let escaped = try next() else { throw Self.notJSON }
        switch escaped {
        case 0x22, 0x5C, 0x2F: bytes.append(escaped)
        case UInt8(ascii: "b"): bytes.append(0x08)
        case UInt8(ascii: "f"): bytes.append(0x0C)
        case UInt8(ascii: "n"): bytes.append(0x0A)
        case UInt8(ascii: "r"): bytes.append(0x0D)
        case UInt8(ascii: "t"): bytes.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by an escaped low one.
                guard try next() == 0x5C, try next() == UInt8(ascii: "u") else { throw Self.notJSON }
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw Self.notJSON }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw Self.notJSON }
            bytes += Array(String(Character(unicode)).utf8)
        default: throw Self.notJSON
        }
    }

    private mutating func hex4() throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = try next(), let digit = Self.hexDigit(byte) else { throw Self.notJSON }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private mutating func expect(_ byte: UInt8) throws {
        guard try nextSignificant() == byte else { throw Self.notJSON }
    }

    private mutating func nextSignificant() throws -> UInt8? {
        _ = try peekSignificant()
        return try next()
    }

    private mutating func peek() throws -> UInt8? {
        if index == chunk.count, !(try refill()) { return nil }
        return chunk[index]
    }

    private mutating func next() throws -> UInt8? {
        guard let byte = try peek() else { return nil }
        advance()
        return byte
    }

    private mutating func advance() {
        capture?.append(chunk[index])
        index += 1
    }

    private mutating func refill() throws -> Bool {
        guard !ended else { return false }
        chunkOffset += UInt64(chunk.count)
        chunk = [UInt8](try handle.read(upToCount: 1 << 20) ?? Data())
        index = 0
        ended = chunk.isEmpty
        return !ended
    }

    static let notJSON = TransparencyError.malformed("malformed export: not a JSON report")
}
