import Crypto
import Foundation

/// Signs notes in the C2SP signed-note format with an Ed25519 key.
///
/// A signed note is its text (ending in a newline), a blank line, then one
/// line per signature: `— <key name> <base64(key ID ‖ signature)>`, where the
/// key ID is the first 4 bytes of SHA-256(key name ‖ "\n" ‖ 0x01 ‖ public key)
/// (0x01 names Ed25519). Key files use the Go `sumdb/note` encodings:
/// `PRIVATE+KEY+<name>+<key ID hex>+<base64(0x01 ‖ seed)>` and, for the
/// verifier, `<name>+<key ID hex>+<base64(0x01 ‖ public key)>`.
public struct NoteSigner: Sendable {
    public let name: String
    /// The 32-byte seed (the key types are not `Sendable`; bytes are).
    private let seed: Data
    private var key: Curve25519.Signing.PrivateKey {
        // The seed was checked when it was read or made.
        (try? Curve25519.Signing.PrivateKey(rawRepresentation: seed)) ?? Curve25519.Signing.PrivateKey()
    }

    /// A new random key called `name`.
    ///
    /// - Throws: ``TransparencyError/malformed(_:)`` for a name with spaces, `+` or nothing.
    public init(generatingKeyNamed name: String) throws {
        try NoteVerifier.check(name: name)
        self.name = name
        seed = Curve25519.Signing.PrivateKey().rawRepresentation
    }

    /// Reads a signer key in the `PRIVATE+KEY+...` encoding.
    public init(keyText: String) throws {
        let parts = keyText.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "+", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY" else {
            throw TransparencyError.malformed("not a signer key (expected PRIVATE+KEY+<name>+<id>+<key>)")
        }
        guard let raw = Data(base64Encoded: parts[4]), raw.count == 33, raw.first == 1,
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw.dropFirst()) else {
            throw TransparencyError.malformed("signer key '\(parts[2])': not an Ed25519 key")
        }
        try NoteVerifier.check(name: parts[2])
        name = parts[2]
        seed = key.rawRepresentation
        guard parts[3] == verifier.keyID.hexString else {
            throw TransparencyError.malformed("signer key '\(name)': its key ID \(parts[3]) does not match the key")
        }
    }

    /// The key in the `PRIVATE+KEY+...` encoding, for the key file.
    public var keyText: String {
        "PRIVATE+KEY+\(name)+\(verifier.keyID.hexString)+\(Data([1] + key.rawRepresentation).base64EncodedString())"
    }

    public var verifier: NoteVerifier {
        NoteVerifier(name: name, publicKey: key.publicKey)
    }

    /// `text` (ending in a newline) with this key's signature line appended.
    public func sign(_ text: String) throws -> String {
        let signature = try key.signature(for: Data(text.utf8))
        return text + "\n— \(name) \(Data(verifier.keyID + Array(signature)).base64EncodedString())\n"
    }
}

/// Verifies C2SP signed notes made by one Ed25519 key.
public struct NoteVerifier: Sendable {
    public let name: String
    private let publicKeyBytes: Data
    private var publicKey: Curve25519.Signing.PublicKey {
        // The bytes were checked when they were read.
        (try? Curve25519.Signing.PublicKey(rawRepresentation: publicKeyBytes)) ?? Curve25519.Signing.PrivateKey().publicKey
    }

    init(name: String, publicKey: Curve25519.Signing.PublicKey) {
        self.name = name
        publicKeyBytes = publicKey.rawRepresentation
    }

    /// Reads a verifier key in the `<name>+<id>+<base64(0x01 ‖ key)>` encoding.
    public init(keyText: String) throws {
        guard !keyText.hasPrefix("PRIVATE+KEY+") else {
            throw TransparencyError.malformed("this is a private signer key: give the public verifier key (<name>.pub)")
        }
        let parts = keyText.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 else { throw TransparencyError.malformed("not a verifier key (expected <name>+<id>+<key>)") }
        guard let raw = Data(base64Encoded: parts[2]), raw.count == 33, raw.first == 1,
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw.dropFirst()) else {
            throw TransparencyError.malformed("verifier key '\(parts[0])': not an Ed25519 public key")
        }
        try Self.check(name: parts[0])
        name = parts[0]
        publicKeyBytes = key.rawRepresentation
        guard parts[1] == keyID.hexString else {
            throw TransparencyError.malformed("verifier key '\(name)': its key ID \(parts[1]) does not match the key")
        }
    }

    /// The 4-byte key ID: SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key), truncated.
    public var keyID: [UInt8] {
        Array(SHA256.hash(data: Array(name.utf8) + [0x0A, 0x01] + Array(publicKey.rawRepresentation)).prefix(4))
    }

    /// The key in the verifier encoding, for the public key file.
    public var keyText: String {
        "\(name)+\(keyID.hexString)+\(Data([1] + publicKey.rawRepresentation).base64EncodedString())"
    }

    /// Checks the signature by this key on `note`; returns the signed text.
    ///
    /// - Throws: ``TransparencyError/malformed(_:)`` for a note that is not a signed
    ///   note, ``TransparencyError/badSignature(_:)`` when no line is by this key or
    ///   its signature does not verify.
    public func open(_ note: String) throws -> String {
        guard let split = note.range(of: "\n\n", options: .backwards) else {
            throw TransparencyError.malformed("not a signed note: no blank line before the signatures")
        }
        let text = String(note[..<split.lowerBound]) + "\n"
        let lines = note[split.upperBound...].split(separator: "\n", omittingEmptySubsequences: false)
        guard note.hasSuffix("\n"), lines.dropLast().allSatisfy({ $0.hasPrefix("— ") }) else {
            throw TransparencyError.malformed("not a signed note: a signature line does not start with '— '")
        }
        for line in lines.dropLast() {
            let fields = line.dropFirst(2).split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 2, let blob = Data(base64Encoded: String(fields[1])), blob.count > 4 else {
                throw TransparencyError.malformed("not a signed note: malformed signature line '\(line)'")
            }
            guard fields[0] == name, Array(blob.prefix(4)) == keyID else { continue }
            guard publicKey.isValidSignature(blob.dropFirst(4), for: Data(text.utf8)) else {
                throw TransparencyError.badSignature("the signature by key '\(name)' does not verify: the note was altered or signed by another key")
            }
            return text
        }
        throw TransparencyError.badSignature("the note has no signature by key '\(name)' (\(keyID.hexString))")
    }

    static func check(name: String) throws {
        guard !name.isEmpty, !name.contains("+"), !name.contains(where: \.isWhitespace) else {
            throw TransparencyError.malformed("key name '\(name)' must be non-empty, without spaces or '+'")
        }
    }
}
