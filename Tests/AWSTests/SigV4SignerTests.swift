import AWS
import Foundation
import Testing

/// One case of AWS's SigV4 test suite (aws-c-auth `tests/aws-signing-test-suite/v4/<name>`,
/// header form): the request, and the canonical request, string to sign and Authorization
/// header the suite publishes for it.
struct SigV4Vector: Sendable, CustomTestStringConvertible {
    var name: String
    var request: SigV4Request
    var credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    var region = "us-east-1"
    var service = "service"
    var addContentSHA256Header = false
    var canonicalRequest: String
    var stringToSign: String
    var authorization: String

    var testDescription: String { name }

    static let host = "example.amazonaws.com"
    static let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    static let suite: [SigV4Vector] = [
        SigV4Vector(
            name: "get-vanilla",
            request: SigV4Request(method: "GET", host: host, headers: [("Host", host)]),
            canonicalRequest: "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(emptyHash)",
            stringToSign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
            authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        ),
        SigV4Vector(
            name: "get-vanilla-query-order-key-case",
            request: SigV4Request(method: "GET", host: host, query: [("Param2", "value2"), ("Param1", "value1")], headers: [("Host", host)]),
            canonicalRequest: "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(emptyHash)",
            stringToSign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0",
            authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
        ),
        SigV4Vector(
            name: "get-vanilla-query-unreserved",
            request: SigV4Request(
                method: "GET",
                host: host,
                query: [(unreserved, unreserved)],
                headers: [("Host", host)]
            ),
            canonicalRequest: "GET\n/\n\(unreserved)=\(unreserved)\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(emptyHash)",
            stringToSign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nc30d4703d9f799439be92736156d47ccfb2d879ddf56f5befa6d1d6aab979177",
            authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"
        ),
        SigV4Vector(
            name: "get-utf8",
            request: SigV4Request(method: "GET", host: host, path: "/\u{1234}", headers: [("Host", host)]),
            canonicalRequest: "GET\n/%E1%88%B4\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(emptyHash)",
            stringToSign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n2a0a97d02205e45ce2e994789806b19270cfbbb0921b278ccf58f5249ac42102",
            authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"
        ),
        SigV4Vector(
            name: "get-vanilla-utf8-query",
            request: SigV4Request(method: "GET", host: host, query: [("\u{1234}", "bar")], headers: [("Host", host)]),
            canonicalRequest: "GET\n/\n%E1%88%B4=bar\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(emptyHash)",
            stringToSign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\neb30c5bed55734080471a834cc727ae56beb50e5f39d1bff6d0d38cb192a7073",
            authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"
        ),
        SigV4Vector(
            name: "get-header-value-trim",
            request: SigV4Request(
                method: "GET",
                host: host,
                headers: [("Host", host), ("My-Header1", " value1"), ("My-Header2", " \"a   b   c\"")]
            ),
            canonicalRequest: "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\nx-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\n\(emptyHash)",
            stringToSign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\na726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7",
            authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;my-header2;x-amz-date, Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"
        ),
        SigV4Vector(
            name: "get-header-key-duplicate",
            request: SigV4Request(
                method: "GET",
                host: host,
                headers: [("Host", host), ("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1")]
            ),
            canonicalRequest: "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value2,value2,value1\nx-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\n\(emptyHash)",
            stringToSign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\ndc7f04a3abfde8d472b0ab1a418b741b7c67174dad1551b4117b15527fbe966c",
            authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"
        ),
        SigV4Vector(
            name: "post-vanilla",
            request: SigV4Request(method: "POST", host: host, headers: [("Host", host)]),
            canonicalRequest: "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(emptyHash)",
            stringToSign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87",
            authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
        ),
        SigV4Vector(
            name: "post-x-www-form-urlencoded",
            request: SigV4Request(
                method: "POST",
                host: host,
                headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Host", host), ("Content-Length", "13")],
                body: Array("Param1=value1".utf8)
            ),
            addContentSHA256Header: true,
            canonicalRequest: "POST\n/\n\ncontent-length:13\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\nx-amz-content-sha256:9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e\nx-amz-date:20150830T123600Z\n\ncontent-length;content-type;host;x-amz-content-sha256;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
            stringToSign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nb1edd1d03544c25390e32085d55b57acc9a3961bb59415ff86c45c3d89d16cfb",
            authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, Signature=d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b"
        ),
        SigV4Vector(
            name: "get-vanilla-with-session-token",
            request: SigV4Request(method: "GET", host: host, headers: [("Host", host)]),
            credentials: AWSCredentials(
                accessKeyID: "AKIDEXAMPLE",
                secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                sessionToken: "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"
            ),
            canonicalRequest: "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\nx-amz-security-token:6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267\n\nhost;x-amz-date;x-amz-security-token\n\(emptyHash)",
            stringToSign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n067b36aa60031588cea4a4cde1f21215227a047690c72247f1d70b32fbbfad2b",
            authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"
        ),
        // An ECS DescribeServices call as the JSON 1.1 client sends it; the expected values are
        // botocore 1.43's SigV4Auth for the same request, time and credentials.
        SigV4Vector(
            name: "ecs-describe-services (botocore)",
            request: SigV4Request(
                method: "POST",
                host: "ecs.us-east-1.amazonaws.com",
                headers: [
                    ("Host", "ecs.us-east-1.amazonaws.com"),
                    ("Content-Type", "application/x-amz-json-1.1"),
                    ("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.DescribeServices"),
                ],
                body: Array(#"{"cluster":"staging-default","services":["staging-api"]}"#.utf8)
            ),
            service: "ecs",
            canonicalRequest: "POST\n/\n\ncontent-type:application/x-amz-json-1.1\nhost:ecs.us-east-1.amazonaws.com\nx-amz-date:20150830T123600Z\nx-amz-target:AmazonEC2ContainerServiceV20141113.DescribeServices\n\ncontent-type;host;x-amz-date;x-amz-target\n1e4dfa29121f6f661333e3fcb7b92403504b557392f0cd7baa74e12328ad57fe",
            stringToSign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/ecs/aws4_request\n7bdbb6c44a018d44848288aceba94b6d38ee8fb86278d0d8e4c14a2dc9451038",
            authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ecs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=f921a3955059270e2f3d73ac16a87576a5b3f19e11befdf6d3709264337aaa5c"
        ),
    ]

    static let unreserved = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
}

struct SigV4SignerTests {
    /// 2015-08-30T12:36:00Z, the time of every case in the suite.
    static let suiteDate = Date(timeIntervalSince1970: 1_440_938_160)

    @Test("signs like AWS's published test suite", arguments: SigV4Vector.suite)
    func matchesPublishedVector(_ vector: SigV4Vector) {
        let signer = SigV4Signer(credentials: vector.credentials, region: vector.region, service: vector.service)
        let signature = signer.sign(vector.request, date: Self.suiteDate, addContentSHA256Header: vector.addContentSHA256Header)
        #expect(signature.canonicalRequest == vector.canonicalRequest)
        #expect(signature.stringToSign == vector.stringToSign)
        #expect(signature.authorization == vector.authorization)
    }

    @Test func addsDateTokenAndAuthorizationHeaders() {
        let credentials = AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret", sessionToken: "token")
        let signer = SigV4Signer(credentials: credentials, region: "eu-west-1", service: "ecs")
        let signature = signer.sign(SigV4Request(method: "POST", host: "ecs.eu-west-1.amazonaws.com"), date: Self.suiteDate)
        let names = signature.headersToAdd.map(\.0)
        #expect(names == ["X-Amz-Date", "X-Amz-Security-Token", "Authorization"])
        #expect(signature.headersToAdd.first?.1 == "20150830T123600Z")
        #expect(signature.authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKID/20150830/eu-west-1/ecs/aws4_request, "))
    }
}
