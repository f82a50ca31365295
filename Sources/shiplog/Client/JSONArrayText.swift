/// The elements of a JSON array as the text they were written in, so an event the service sends
/// in the log's one-line form (``RecordedEvent/jsonLine()``) is printed byte for byte as the
/// local command prints it, not decoded and written again.
enum JSONArrayText {
    /// The elements of the array that `text` starts with (after `prefix`), each as written;
    /// `nil` when `text` does not start so or the array is not closed.
    static func elements(of text: String, after prefix: String) -> [Substring]? {
        guard text.hasPrefix(prefix) else { return nil }
        let bytes = text.utf8
        var index = bytes.index(bytes.startIndex, offsetBy: prefix.utf8.count)
        guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "[") else { return nil }
        index = bytes.index(after: index)
        var elements: [Substring] = []
        var depth = 0
        var inString = false
        var escaped = false
        var start: String.Index?
        while index < bytes.endIndex {
            let byte = bytes[index]
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
                if start == nil { start = index }
            } else if byte == UInt8(ascii: "{") || (byte == UInt8(ascii: "[")) {
                if start == nil { start = index }
                depth += 1
            } else if byte == UInt8(ascii: "}") || (byte == UInt8(ascii: "]") && depth > 0) {
                depth -= 1
                if depth < 0 { return nil }
            } else if depth == 0 && (byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]")) {
                if let begun = start {
                    elements.append(text[begun..<index])
                    start = nil
                } else if byte == UInt8(ascii: ",") || !elements.isEmpty {
                    return nil
                }
                if byte == UInt8(ascii: "]") { return elements }
            } else if start == nil, byte != 0x20, byte != 0x0A, byte != 0x0D, byte != 0x09 {
                start = index
            }
            index = bytes.index(after: index)
        }
        return nil
    }
}
