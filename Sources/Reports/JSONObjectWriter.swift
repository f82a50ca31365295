import Foundation

/// Writes one compact JSON object into a byte buffer: the fields in the order
/// given, absent ones left out.
///
/// It borrows the caller's buffer (swapped in, swapped back by ``close(into:)``),
/// so no bytes are copied.
struct JSONObjectWriter: ~Copyable {
    private var buffer: [UInt8] = []
    private var first = true

    init(bytes: inout [UInt8]) {
        swap(&buffer, &bytes)
        buffer.append(UInt8(ascii: "{"))
    }

    mutating func string(_ key: String, _ value: String?) {
        guard let value else { return }
        self.key(key)
        Self.appendQuoted(value, to: &buffer)
    }

    mutating func number(_ key: String, _ value: Int64?) {
        guard let value else { return }
        self.key(key)
        buffer += String(value).utf8
    }

    mutating func literal(_ key: String, _ value: String) {
        self.key(key)
        buffer += value.utf8
    }

    consuming func close(into bytes: inout [UInt8]) {
        buffer.append(UInt8(ascii: "}"))
        swap(&buffer, &bytes)
    }

    private mutating func key(_ key: String) {
        if !first { buffer.append(UInt8(ascii: ",")) }
        first = false
        Self.appendQuoted(key, to: &buffer)
        buffer.append(UInt8(ascii: ":"))
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped;
    /// runs of plain bytes are copied at once.
    static func appendQuoted(_ value: String, to bytes: inout [UInt8]) {
        bytes.append(0x22)
        var value = value
        value.withUTF8 { utf8 in
            var start = 0
            for (index, byte) in utf8.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                switch byte {
                case 0x22: bytes += [0x5C, 0x22]
                case 0x5C: bytes += [0x5C, 0x5C]
                case 0x0A: bytes += [0x5C, UInt8(ascii: "n")]
                case 0x0D: bytes += [0x5C, UInt8(ascii: "r")]
                case 0x09: bytes += [0x5C, UInt8(ascii: "t")]
                default: bytes += String(format: "\\u%04x", byte).utf8
                }
                start = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        bytes.append(0x22)
    }
}
