import Hummingbird
import Ledger

/// One page of a listing, newest first, and the cursor of the next: `{"<items>": [...], "next_cursor": ...}`.
struct CursorPage<Item: Encodable & Sendable>: ResponseEncodable {
    /// The key the items go under (`deployments`, `entries`).
    let itemsKey: String
    var items: [Item]
    var nextCursor: String?

    /// `next_cursor` is null on the last page, not left out.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        try container.encode(items, forKey: AnyCodingKey(itemsKey))
        try container.encode(nextCursor, forKey: "next_cursor")
    }
}
