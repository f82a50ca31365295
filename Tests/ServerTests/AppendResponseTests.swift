import Foundation
import Testing

@testable import Server

/// The append's response is written by hand for speed; it must be byte for byte what the API's
/// encoder writes for the same value.
@Suite struct AppendResponseTests {
    @Test(arguments: [
        AppendResponse(events: [], deduplicated: true),
        AppendResponse(events: [.init(position: 1, id: "0193a3f0-6a1c-7cc2-9e1b-5d0d6f1c2b3a", stream: "build-1", version: 1)], deduplicated: false),
        AppendResponse(
            events: [
                .init(position: 41, id: "a", stream: "deploy/api/staging-\"quoted\"\\", version: 7),
                .init(position: Int64.max, id: "b\u{1}", stream: "ünïcode ✓", version: 0),
            ],
            deduplicated: false),
    ])
    func theHandWrittenBodyIsTheEncoders(response: AppendResponse) throws {
        let encoded = String(decoding: try APICoding.encoder.encode(response), as: UTF8.self)
        #expect(response.json == encoded)
    }
}
