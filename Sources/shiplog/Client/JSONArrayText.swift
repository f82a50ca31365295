/// The elements of a JSON array as the text they were written in, so an event the service sends
/// in the log's one-line form (``RecordedEvent/jsonLine()``) is printed byte for byte as the
/// local command prints it, not decoded and written again.
enum JSONArrayText {
    /// The elements of the array that `text` starts with (after `prefix`), each as written;
    /// `nil` when `text` does not start so or the array is not closed.
    static func elements(of text: String, after prefix: String) -> [Substring]? {
        guard text.hasPrefix(prefix) else { return nil }
        let array = text[text.utf8.index(text.startIndex, offsetBy: prefix.utf8.count)...]
        let bytes = array.utf8
        var index = bytes.startIndex
        guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "[") else { return nil }
        index = bytes.index(after: index)
        JSONObjectText.skipSpace(&index, in: array)
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "]") { return [] }
        var elements: [Substring] = []
        while true {
            JSONObjectText.skipSpace(&index, in: array)
            guard let element = JSONObjectText.value(at: &index, in: array) else { return nil }
            elements.append(element)
            JSONObjectText.skipSpace(&index, in: array)
            guard index < bytes.endIndex else { return nil }
            if bytes[index] == UInt8(ascii: "]") { return elements }
            guard bytes[index] == UInt8(ascii: ",") else { return nil }
            index = bytes.index(after: index)
        }
    }
}
