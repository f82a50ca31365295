@testable import Server
import Testing

@Suite struct FormPayloadDecoderTests {
    private func decode(_ chunks: [String]) throws -> String {
        var form = FormPayloadDecoder()
        for chunk in chunks { form.consume(chunk.utf8) }
        return String(decoding: try form.finish(), as: UTF8.self)
    }

    @Test func theBodyDecodesTheSameHoweverItIsSplitIntoChunks() throws {
        let body = "ref=main&payload=%7B%22a%22%3A+%22b%2Bc%25%22%7D&zen=Keep+it+logically+awesome."
        let whole = try decode([body])
        #expect(whole == #"{"a": "b+c%"}"#)
        let bytes = Array(body.utf8)
        for first in 0...bytes.count {
            for second in first...bytes.count {
                let chunks = [bytes[..<first], bytes[first..<second], bytes[second...]].map { String(decoding: $0, as: UTF8.self) }
                #expect(try decode(chunks) == whole, "split at \(first) and \(second)")
            }
        }
    }

    @Test func aPercentThatIsNotAnEscapeStandsForItself() throws {
        #expect(try decode(["payload=100%25+and+%zz+and+%4+and+%"]) == "100% and %zz and %4 and %")
        #expect(try decode(["payload=%4", "1%"]) == "A%")
    }

    @Test func onlyTheFieldNamedPayloadCounts() throws {
        #expect(try decode(["pay%6Coad=x"]) == "x", "names are decoded too")
        #expect(try decode(["payload"]) == "", "a name without a value is an empty value")
        #expect(throws: FormPayloadDecoder.Failure.missing) { try decode(["payloads=1&xpayload=2&pay=3"]) }
        #expect(throws: FormPayloadDecoder.Failure.repeated) { try decode(["payload=1&payload=2"]) }
    }
}
