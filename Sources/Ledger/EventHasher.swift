import Crypto

/// The hash chain: each event's hash is SHA-256 over a canonical encoding of the
/// event and the previous event's hash.
///
/// The encoding is length-prefixed so that no two different events encode to
/// the same bytes: integers are 8 bytes big-endian, every text and the previous
/// hash are a 4-byte big-endian length then their bytes, in this order:
/// position, stream, version, id, type, data, metadata, recorded_at, prev_hash.
public enum EventHasher {
    /// The previous hash of the first event.
    public static let genesis = [UInt8](repeating: 0, count: 32)

    public static func hash(
        position: Int64, stream: String, version: Int64, id: String, type: String,
        data: String, metadata: String, recordedAt: String, prevHash: [UInt8]
    ) -> [UInt8] {
        var hasher = SHA256()
        func integer(_ value: Int64) {
            withUnsafeBytes(of: value.bigEndian) { hasher.update(bufferPointer: $0) }
        }
        func bytes(_ value: some Collection<UInt8>) {
            withUnsafeBytes(of: UInt32(value.count).bigEndian) { hasher.update(bufferPointer: $0) }
            if value.withContiguousStorageIfAvailable({ hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }) == nil {
                hasher.update(data: Array(value))
            }
        }
        func text(_ value: String) {
            var value = value
            value.withUTF8 { bytes($0) }
        }
        integer(position)
        text(stream)
        integer(version)
        text(id)
        text(type)
        text(data)
        text(metadata)
        text(recordedAt)
        bytes(prevHash)
        return Array(hasher.finalize())
    }

    /// The hash `event` should have, from its stored fields.
    public static func hash(of event: RecordedEvent) -> [UInt8] {
        hash(
            position: event.position, stream: event.stream, version: event.version, id: event.id,
            type: event.type, data: event.data, metadata: event.metadata, recordedAt: event.recordedAt,
            prevHash: event.prevHash)
    }
}
