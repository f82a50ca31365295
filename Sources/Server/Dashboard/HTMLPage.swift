import Access
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// Renders a dashboard template into a response carrying the headers every page needs: the
/// Content-Security-Policy that allows only the page's own style and script, no sniffing, no
/// caching of what a token let someone read.
enum HTMLPage {
    /// A page that only says one thing, such as why a deployment page is not there.
    struct Message: Sendable {
        let identity: APIIdentity?
        /// The session's ``FormProtection`` token, for the log-out form.
        let formToken: String?
        let heading: String
        let text: String
    }

    /// - Parameters:
    ///   - template: a name in ``DashboardTemplates/library``.
    ///   - object: what the template reads.
    static func response(_ template: String, _ object: some Sendable, status: HTTPResponse.Status = .ok) -> Response {
        let html = DashboardTemplates.library.render(object, withTemplate: template) ?? ""
        var fields = HTTPFields()
        fields[.contentType] = "text/html; charset=utf-8"
        fields[.contentSecurityPolicy] = DashboardTemplates.contentSecurityPolicy
        fields[.xContentTypeOptions] = "nosniff"
        fields[.referrerPolicy] = "same-origin"
        fields[.cacheControl] = "no-store"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    static func message(
        _ heading: String, _ text: String, identity: APIIdentity?, formToken: String? = nil, status: HTTPResponse.Status
    ) -> Response {
        response("message", Message(identity: identity, formToken: formToken, heading: heading, text: text), status: status)
    }
}

extension HTTPField.Name {
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
