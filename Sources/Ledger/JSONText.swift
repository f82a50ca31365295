import Foundation

/// Small JSON helpers for the append path, where Foundation's encoders are too
/// slow to run per event, and for turning parser errors into one-line messages.
enum JSONText {
    /// Appends `value` as a JSON string literal (RFC 8259 escaping).
    static func appendQuoted(_ value: String, to text: inout String) {
        text += "\""
        var needsEscaping = false
        for byte in value.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            needsEscaping = true
            break
        }
        guard needsEscaping else {
            text += value
            text += "\""
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case let c where c.value < 0x20:
                text += String(format: "\\u%04x", c.value)
            default:
                text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }

    /// The first key that an object of `json` holds twice, as `path.key`; nil when none does.
    ///
    /// A JSON decoder keeps one of two equal keys without a word, so what a client meant
    /// would depend on the parser: the ledger refuses such text instead. `json` must be valid
    /// JSON (parse it first); keys are compared after their escapes are decoded.
    static func duplicateKey(in json: some Collection<UInt8>) -> String? {
        if let found = json.withContiguousStorageIfAvailable({ duplicateKey(inBytes: $0) }) { return found }
        return Array(json).withUnsafeBufferPointer { duplicateKey(inBytes: $0) }
    }

    /// ``duplicateKey(in:)`` over contiguous bytes: strings are skipped in place, and only keys
    /// become `String`s (it runs on every request body).
    private static func duplicateKey(inBytes json: UnsafeBufferPointer<UInt8>) -> String? {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        var objects: [KeyScan?] = []  // nil for an array
        var lastKey = ""
        var index = 0
        while index < json.count {
            switch json[index] {
            case UInt8(ascii: "{"):
                objects.append(KeyScan(name: lastKey))
            case UInt8(ascii: "["):
                objects.append(nil)
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                _ = objects.popLast()
            case UInt8(ascii: ","):
                if objects.last??.expectsKey == false { objects[objects.count - 1]?.expectsKey = true }
            case UInt8(ascii: ":"):
                objects[objects.count - 1]?.expectsKey = false
            case quote:
                let start = index + 1
                var escaped = false
                index = start
                while index < json.count, json[index] != quote {
                    if json[index] == backslash {
                        escaped = true
                        index += 1
                    }
                    index += 1
                }
                if let object = objects.last ?? nil, object.expectsKey {
                    let raw = UnsafeBufferPointer(rebasing: json[start..<min(index, json.count)])
                    let key = escaped ? decodedString(Array(raw)) : String(decoding: raw, as: UTF8.self)
                    if object.keys.contains(key) { return object.name.isEmpty ? key : "\(object.name).\(key)" }
                    objects[objects.count - 1]?.keys.insert(key)
                    lastKey = object.name.isEmpty ? key : "\(object.name).\(key)"
                }
            default:
                break
            }
            index += 1
        }
        return nil
    }

    /// An object ``duplicateKey(in:)`` is inside: its keys so far, and whether a key comes next.
    private struct KeyScan {
        var keys: Set<String> = []
        var expectsKey = true
        var name: String
    }

    /// The string a JSON string literal's inside (`raw`, escapes and all) stands for.
    private static func decodedString(_ raw: [UInt8]) -> String {
        let literal = Data([UInt8(ascii: "\"")] + raw + [UInt8(ascii: "\"")])
        return (try? JSONSerialization.jsonObject(with: literal, options: [.fragmentsAllowed]) as? String) ?? String(decoding: raw, as: UTF8.self)
    }

    /// A one-line description of a decoding failure: which field, what is wrong.
    ///
    /// - Parameter depth: how many keys of the coding path lead to the object described (its
    ///   place in a larger document), left out of the field names.
    static func describe(_ error: any Error, in type: String, below depth: Int = 0) -> String {
        guard let error = error as? DecodingError else { return "\(type): \(error)" }
        func path(_ codingPath: [any CodingKey], _ key: (any CodingKey)? = nil) -> String {
            (codingPath + (key.map { [$0] } ?? [])).dropFirst(depth).map { snakeCase($0.stringValue) }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(type): missing field '\(path(context.codingPath, key))'"
        case .typeMismatch(let expected, let context):
            return "\(type): field '\(path(context.codingPath))' must be \(describe(expected))"
        case .valueNotFound(let expected, let context):
            return "\(type): field '\(path(context.codingPath))' must be \(describe(expected)), not null"
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            return field.isEmpty ? "\(type): data is not valid JSON" : "\(type): field '\(field)': \(context.debugDescription)"
        @unknown default:
            return "\(type): \(error)"
        }
    }

    /// `timeoutSeconds` → `timeout_seconds`: errors name fields as they are written in JSON.
    static func snakeCase(_ name: String) -> String {
        var result = ""
        for character in name {
            if character.isUppercase {
                result += "_" + character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is Double.Type: "a number"
        case is Bool.Type: "true or false"
        default: "of type \(type)"
        }
    }
}

extension String {
    /// The string as a JSON string literal, escaped as RFC 8259 asks.
    public var jsonQuoted: String {
        var text = ""
        JSONText.appendQuoted(self, to: &text)
        return text
    }
}
