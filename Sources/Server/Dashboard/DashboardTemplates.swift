import Crypto
import Foundation
import Mustache

/// The dashboard's Mustache templates, its style sheet and its one script.
///
/// They are files in `Templates/`, embedded by `ResourcesPlugin` as string constants rather than
/// SwiftPM resources read through `Bundle.module`: an installed `shiplog` then serves its
/// dashboard without a resource bundle beside it, and nothing is looked up on disk at run time
/// (as with the migrations).
///
/// Every value reaches the page through `{{name}}`, which HTML-escapes it; the templates use no
/// triple braces. The style and the script are spliced into the layout here, in Swift, where it
/// marks their places with comments, so the Content-Security-Policy can allow exactly them by
/// their SHA-256.
enum DashboardTemplates {
    /// Every page and partial, parsed once.
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        // The templates are constants: a parse error is a bug that every dashboard test would show.
        for (name, text) in templates {
            try! library.register(text, named: name)
        }
        return library
    }()

    /// What pages may load: their own style and script (by hash), requests to this origin, forms
    /// posted to this origin; no frames, plugins or other sites.
    static let contentSecurityPolicy =
        "default-src 'none'; style-src '\(sha256(style))'; script-src '\(sha256(script))'; connect-src 'self'; img-src 'self'; "
        + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    private static func sha256(_ text: String) -> String {
        "sha256-" + Data(SHA256.hash(data: Data(text.utf8))).base64EncodedString()
    }

    private static let style = EmbeddedResources.styleCss
    private static let script = EmbeddedResources.scriptJs

    private static let templates: [(String, String)] = [
        ("layout", layout), ("dashboard", EmbeddedResources.dashboardMustache), ("grid", EmbeddedResources.gridMustache),
        ("latest", EmbeddedResources.latestMustache), ("deployment", EmbeddedResources.deploymentMustache),
        ("login", EmbeddedResources.loginMustache), ("message", EmbeddedResources.messageMustache),
        ("confirm", EmbeddedResources.confirmMustache),
    ]

    private static let layout = EmbeddedResources.layoutMustache
        .replacingOccurrences(of: "{{! style.css }}", with: style)
        .replacingOccurrences(of: "{{! script.js }}", with: script)
}
