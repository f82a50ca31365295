/// The tag part of an image reference.
public enum ImageTag {
    /// `ghcr.io/a/b:abc` and `ghcr.io/a/b:abc@sha256:...` → `abc`; `latest` when untagged.
    public static func of(_ image: String) -> String {
        let withoutDigest = image.split(separator: "@").first.map(String.init) ?? image
        let last = withoutDigest.split(separator: "/").last.map(String.init) ?? withoutDigest
        guard let colon = last.lastIndex(of: ":") else { return "latest" }
        return String(last[last.index(after: colon)...])
    }
}
