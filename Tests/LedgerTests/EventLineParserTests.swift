import Ledger
import Testing

struct EventLineParserTests {
    let defaults = EventMetadata(actor: "ci-bot", source: "https://github.com/WordPress/openverse/actions/runs/1", commit: "abc")

    @Test func aLineBecomesAnEventWithItsMetadataFilledFromTheContext() throws {
        let events = try EventLineParser.parse(
            #"{"stream":"deployment-42","type":"ImageBuilt","data":{"tag":"abc","image":"ghcr.io/wordpress/openverse-api"},"metadata":{"on_behalf_of":"ana"}}"#,
            defaults: defaults)
        let event = try #require(events.first)
        #expect(event.stream == "deployment-42")
        #expect(event.data == #"{"image":"ghcr.io/wordpress/openverse-api","tag":"abc"}"#, "data is stored with sorted keys")
        #expect(event.metadata.onBehalfOf == "ana")
        #expect(event.metadata.actor == "ci-bot")
        #expect(event.metadata.source == "https://github.com/WordPress/openverse/actions/runs/1")
    }

    @Test(arguments: [
        ("{not json", "line 1: the line is not valid JSON"),
        ("[1, 2]", "line 1: the line must be a JSON object"),
        (#"{"type":"ImageBuilt","data":{}}"#, "line 1: missing field 'stream'"),
        (#"{"stream":"s","data":{}}"#, "line 1: missing field 'type'"),
        (#"{"stream":"s","type":"ImageBuilt"}"#, "line 1: ImageBuilt: missing field 'data'"),
        (#"{"stream":"s","type":"ImageBuilt","data":[]}"#, "line 1: ImageBuilt: field 'data' must be a JSON object"),
        (#"{"stream":"s","type":"ImageBuilt","data":{"image":"x"}}"#, "line 1: ImageBuilt: missing field 'tag'"),
        (#"{"stream":"s","type":"Deployed","data":{}}"#, "line 1: unknown event type 'Deployed'"),
        (#"{"stream":"s","type":"ImageBuilt","data":{"image":"x","tag":"y"},"extra":1}"#, "line 1: unknown field 'extra' (expected: id, stream, type, data, metadata)"),
        (#"{"stream":"s","type":"ImageBuilt","data":{"image":"x","tag":"y"},"id":"nope"}"#, "line 1: field 'id' must be a UUID"),
        (#"{"stream":"s","type":"ImageBuilt","data":{"image":"x","tag":"y"},"metadata":{"who":"me"}}"#, "line 1: unknown metadata field 'who' (expected: actor, auth_method, causation_id, client_address, commit, committed_at, correlation_id, on_behalf_of, origin, role, source, workflow_ref)"),
        ("", "no events in the input"),
        (#"{"stream":"s","type":"ImageBuilt","data":{"image":"x","tag":"y","colour":"red"}}"#, "line 1: ImageBuilt: unknown field 'colour' (expected: app, digest, image, tag)"),
        (#"{"stream":"s","type":"ImageBuilt","data":{"image":"x","tag":"y","image":"z"}}"#, "line 1: the line has the key 'data.image' twice"),
        (#"{"stream":"s","type":"ImageBuilt","data":{"image":"x","tag":"y"},"type":"TokenIssued"}"#, "line 1: the line has the key 'type' twice"),
        (#"{"stream":"s","type":"ImageBuilt","data":{"image":"x","tag":"y"},"metadata":{"origin":"recorded"}}"#, "line 1: metadata field 'origin' is set by shiplog, not by the recorder"),
        (#"{"stream":"a/b","type":"ImageBuilt","data":{"image":"x","tag":"y"}}"#, "line 1: field 'stream' must be 1-128 letters, digits, '.', '_', '-', '@', '[' or ']', not 'a/b'"),
        (#"{"stream":"s","type":"ImageBuilt","data":{"image":"x","tag":"y"},"metadata":{"committed_at":"2026-11-27 and then some"}}"#, "line 1: metadata field 'committed_at' must be a date or an ISO 8601 time, not '2026-11-27 and then some'"),
    ])
    func badLinesAreRefusedWithAMessageNamingTheProblem(line: String, message: String) {
        let error = #expect(throws: LedgerError.self) { try EventLineParser.parse(line, defaults: defaults) }
        #expect(error?.message == message)
    }

    @Test func aParsedEventCarriesItsTypedPayloadAndItsDataAsTheLogStoresIt() throws {
        let event = try EventLineParser.parseLine(#"{"stream":"build-1","type":"ImageBuilt","data":{"tag":"abc", "image":"i"}}"#, defaults: defaults)
        #expect(event.payload as? ImageBuilt == ImageBuilt(image: "i", tag: "abc"))
        #expect(event.type == "ImageBuilt")
        #expect(event.data == ImageBuilt(image: "i", tag: "abc").jsonText())
    }

    @Test func keysAreComparedAfterTheirEscapesAndOnlyWithinOneObject() throws {
        let escaped = #"{"stream":"s","type":"ImageBuilt","data":{"image":"x","tag":"y","t\u0061g":"z"}}"#
        let error = #expect(throws: LedgerError.self) { try EventLineParser.parse(escaped, defaults: defaults) }
        #expect(error?.message == "line 1: the line has the key 'data.tag' twice")
        let nested = #"{"stream":"s","type":"TaskDefinitionRendered","data":{"template_family":"f","family":"g","images":{"tag":"a","family":"b"}}}"#
        #expect(try EventLineParser.parse(nested, defaults: defaults).count == 1, "the same key in another object is no duplicate")
        let inValue = #"{"stream":"s","type":"ImageBuilt","data":{"image":"x\\","tag":"y\",\"tag\":{\"z"}}"#
        #expect(try EventLineParser.parse(inValue, defaults: defaults).first?.payload as? ImageBuilt == ImageBuilt(image: "x\\", tag: "y\",\"tag\":{\"z"), "keys, quotes and braces inside a string are text")
    }

    @Test func gitHubBotLoginsAreValidActors() throws {
        let line = #"{"stream":"build-1","type":"ImageBuilt","data":{"image":"x","tag":"y"},"metadata":{"on_behalf_of":"dependabot[bot]"}}"#
        #expect(try EventLineParser.parse(line, defaults: defaults).first?.metadata.onBehalfOf == "dependabot[bot]")
    }

    @Test func timesWithTrailingTextAreNotTimes() {
        #expect(Timestamp.date(from: "2026-11-27") != nil)
        #expect(Timestamp.date(from: "2026-11-27T10:00:00.123456Z") != nil)
        #expect(Timestamp.date(from: "2026-11-27T10:00:00+02:00") != nil)
        for text in ["2026-11-27junk", "2026-11-27T10:00:00Zjunk", "2026-11-27 ", " 2026-11-27", "2026-13-01"] {
            #expect(Timestamp.date(from: text) == nil, "\(text)")
        }
    }

    @Test func theLineNumberOfTheFirstBadLineIsReported() {
        let text = """
            {"stream":"s","type":"ImageBuilt","data":{"image":"x","tag":"y"}}

            {"stream":"s","type":"ImageBuilt","data":{"image":"x"}}
            """
        let error = #expect(throws: LedgerError.self) { try EventLineParser.parse(text, defaults: defaults) }
        #expect(error?.message == "line 3: ImageBuilt: missing field 'tag'")
    }

    @Test func theGitHubActionsContextBecomesTheActorRunURLAndCommit() {
        let metadata = EventMetadata.fromContext(actor: nil, environment: [
            "GITHUB_ACTOR": "ana", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "WordPress/openverse",
            "GITHUB_RUN_ID": "123", "GITHUB_SHA": "deadbeef",
        ])
        #expect(metadata.actor == "ana")
        #expect(metadata.source == "https://github.com/WordPress/openverse/actions/runs/123")
        #expect(metadata.commit == "deadbeef")
        #expect(EventMetadata.fromContext(actor: nil, environment: ["SHIPLOG_ACTOR": "ben", "GITHUB_ACTOR": "ana"]).actor == "ben")
        #expect(EventMetadata.fromContext(actor: "cara", environment: ["SHIPLOG_ACTOR": "ben"]).actor == "cara")
    }
}
