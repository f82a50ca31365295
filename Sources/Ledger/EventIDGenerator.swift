import Foundation

/// Makes time-ordered (version 7, RFC 9562) event ids, fast.
///
/// The first 48 bits are the transaction's time in Unix milliseconds, the next 12 a counter
/// that starts at a random value below 2048 in each generator (one per transaction) and goes up
/// by one per id, the rest random. Ids made later sort later, so each append adds to the right
/// edge of the `events_by_id` index rather than to a random page of it: with random (version 4)
/// ids a commit of 22 appends rewrote about 22 of that index's pages, each one more 4 KiB frame in
/// the WAL to write and fsync (measured under wrk, 2026-11-29).
///
/// Foundation's `UUID()` opens and reads `/dev/urandom` on every call here,
/// which costs more than the INSERT it is for. This draws its state from the
/// system generator once, then runs xoshiro256** in user space: ids need to
/// be unique, not secret.
struct EventIDGenerator {
    private var state: (UInt64, UInt64, UInt64, UInt64)
    private let milliseconds: UInt64
    private var counter: UInt64

    /// - Parameter time: when the ids' events are recorded.
    init(time: Date) {
        var system = SystemRandomNumberGenerator()
        state = (system.next(), system.next(), system.next(), system.next() | 1)
        milliseconds = UInt64(max(0, (time.timeIntervalSince1970 * 1000).rounded(.down))) & 0xFFFF_FFFF_FFFF
        counter = system.next() & 0x7FF
    }

    private mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotate(state.3, 45)
        return result
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }

    /// A new id in the canonical lower-case form, `xxxxxxxx-xxxx-7xxx-yxxx-xxxxxxxxxxxx`.
    mutating func nextID() -> String {
        // The counter wraps within its 12 bits (a transaction of more than about 2,000 events):
        // the ids stay unique by their 62 random bits, only their order within the millisecond goes.
        let high = (milliseconds << 16) | 0x7000 | (counter & 0xFFF)           // unix_ts_ms, version 7, counter
        counter += 1
        let low = (next() & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000      // RFC 9562 variant, random
        return String(unsafeUninitializedCapacity: 36) { buffer in
            let digits: StaticString = "0123456789abcdef"
            var index = 0
            func put(_ value: UInt64, nibbles: Int) {
                for shift in stride(from: (nibbles - 1) * 4, through: 0, by: -4) {
                    buffer[index] = digits.utf8Start[Int((value >> UInt64(shift)) & 0xF)]
                    index += 1
                }
            }
            func dash() {
                buffer[index] = UInt8(ascii: "-")
                index += 1
            }
            put(high >> 32, nibbles: 8)
            dash()
            put(high >> 16, nibbles: 4)
            dash()
            put(high, nibbles: 4)
            dash()
            put(low >> 48, nibbles: 4)
            dash()
            put(low, nibbles: 12)
            return 36
        }
    }
}
