/// Keeps the `payload` field of an `application/x-www-form-urlencoded` body as it streams in,
/// decoded, and drops every other field: GitHub's form deliveries are `payload=<JSON>`, and a
/// 25 MB delivery is then held once (its decoded JSON), not as the body and again decoded.
///
/// Decoding follows the WHATWG URL standard's form parser: fields split at `&`, name and value
/// at the first `=`, `+` is a space, `%` and two hex digits a byte, any other `%` kept as it is.
///
/// ```swift
/// var form = FormPayloadDecoder()
/// form.consume("payload=%7B%22a%22%3A1%7D".utf8)
/// let json = try form.finish()   // the bytes of {"a":1}
/// ```
struct FormPayloadDecoder {
    /// Why a form body carries no single payload.
    enum Failure: Error, Equatable {
        case missing, repeated
    }

    private enum Part {
        case name, value
    }

    private static let wanted = Array("payload".utf8)

    private var part = Part.name
    /// The field's name so far, decoded; only as much as can still match `payload`.
    private var name: [UInt8] = []
    private var nameMatches = true
    /// How much of an escape was read and waits for the rest (it may be split across chunks):
    /// 0 none, 1 the `%`, 2 the `%` and ``escapeDigit`` (whose value is ``escapeHigh``).
    private var escapeLength = 0
    private var escapeDigit: UInt8 = 0
    private var escapeHigh: UInt8 = 0
    private var payload: [UInt8]?
    /// How many fields named `payload` were read.
    private var seen = 0
    /// Bytes to reserve for the payload: the body's length, when known, which it cannot exceed.
    private let capacity: Int

    init(capacity: Int = 0) {
        self.capacity = capacity
    }

    /// Reads the next bytes of the body.
    mutating func consume(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            if escapeLength > 0 {
                if let value = Self.hexValue(byte) {
                    if escapeLength == 1 {
                        escapeDigit = byte
                        escapeHigh = value
                        escapeLength = 2
                    } else {
                        escapeLength = 0
                        emit(escapeHigh << 4 | value)
                    }
                    continue
                }
                // Not an escape: the `%` (and a digit) stand for themselves, and `byte` is read as usual.
                flushEscape()
            }
            switch byte {
            case UInt8(ascii: "&"):
                endField()
            case UInt8(ascii: "=") where part == .name:
                part = .value
                if isPayloadName { startPayload() }
            case UInt8(ascii: "%"):
                escapeLength = 1
            case UInt8(ascii: "+"):
                emit(UInt8(ascii: " "))
            default:
                emit(byte)
            }
        }
    }

    /// The decoded payload, once the whole body has been read.
    ///
    /// - Throws: ``Failure/missing`` when no field is named `payload`, ``Failure/repeated`` when
    ///   more than one is (which one GitHub meant would be a guess).
    mutating func finish() throws(Failure) -> [UInt8] {
        flushEscape()
        endField()
        guard seen <= 1 else { throw .repeated }
        guard let payload else { throw .missing }
        return payload
    }

    private mutating func emit(_ byte: UInt8) {
        switch part {
        case .name:
            guard nameMatches else { return }
            if name.count < Self.wanted.count, Self.wanted[name.count] == byte { name.append(byte) } else { nameMatches = false }
        case .value:
            if seen == 1, isPayloadName { payload?.append(byte) }
        }
    }

    /// True once the name read is exactly `payload`.
    private var isPayloadName: Bool { nameMatches && name.count == Self.wanted.count }

    private mutating func startPayload() {
        seen += 1
        guard seen == 1 else { return }
        payload = []
        payload?.reserveCapacity(capacity)
    }

    private mutating func flushEscape() {
        let length = escapeLength
        escapeLength = 0
        if length >= 1 { emit(UInt8(ascii: "%")) }
        if length == 2 { emit(escapeDigit) }
    }

    private mutating func endField() {
        flushEscape()
        // A field without `=` is a name with an empty value.
        if part == .name, isPayloadName { startPayload() }
        part = .name
        name = []
        nameMatches = true
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
