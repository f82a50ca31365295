/// The members of a JSON object as the text they were written in: an event's data and metadata
/// are hashed as that text, and decoding and writing them again would not give it back.
enum JSONObjectText {
    /// Each member's value by its key, as written; `nil` when `text` is not one object.
    static func members(of text: Substring) -> [String: Substring]? {
        let bytes = text.utf8
        var index = bytes.startIndex
        func skipSpace() { Self.skipSpace(&index, in: text) }
        skipSpace()
        guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "{") else { return nil }
        index = bytes.index(after: index)
        var members: [String: Substring] = [:]
        while true {
            skipSpace()
            guard index < bytes.endIndex else { return nil }
            if bytes[index] == UInt8(ascii: "}"), members.isEmpty { return members }
            guard let key = value(at: &index, in: text), key.first == "\"", key.count >= 2 else { return nil }
            skipSpace()
            guard index < bytes.endIndex, bytes[index] == UInt8(ascii: ":") else { return nil }
            index = bytes.index(after: index)
            skipSpace()
            guard let member = value(at: &index, in: text) else { return nil }
            members[String(key.dropFirst().dropLast())] = member
            skipSpace()
            guard index < bytes.endIndex else { return nil }
            if bytes[index] == UInt8(ascii: "}") { return members }
            guard bytes[index] == UInt8(ascii: ",") else { return nil }
            index = bytes.index(after: index)
        }
    }

    /// Moves `index` past JSON whitespace.
    static func skipSpace(_ index: inout String.Index, in text: Substring) {
        let bytes = text.utf8
        while index < bytes.endIndex, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index = bytes.index(after: index) }
    }

    /// The one value that starts at `index` (a string, an object, an array or a scalar), moving
    /// `index` past it.
    static func value(at index: inout String.Index, in text: Substring) -> Substring? {
        let bytes = text.utf8
        let start = index
        var depth = 0
        var inString = false
        var escaped = false
        while index < bytes.endIndex {
            let byte = bytes[index]
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                    if depth == 0 {
                        index = bytes.index(after: index)
                        return text[start..<index]
                    }
                }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                depth += 1
            } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                if depth == 0 { return index > start ? text[start..<index] : nil }
                depth -= 1
                if depth == 0 {
                    index = bytes.index(after: index)
                    return text[start..<index]
                }
            } else if depth == 0 && [UInt8(ascii: ","), 0x20, 0x0A, 0x0D, 0x09].contains(byte) {
                return index > start ? text[start..<index] : nil
            }
            index = bytes.index(after: index)
        }
        return nil
    }
}
