import Foundation

/// Writes a Swift file holding each migration's name and SQL as a string literal.
///
/// Usage: `MigrationsEmbedder OUTPUT.swift 0001_events.sql 0002_projections.sql ...`
@main
enum MigrationsEmbedder {
    static func main() throws {
        let arguments = CommandLine.arguments.dropFirst()
        guard let output = arguments.first else {
            FileHandle.standardError.write(Data("usage: MigrationsEmbedder OUTPUT FILE...\n".utf8))
            exit(2)
        }
        var source = "// Generated from migrations/*.sql at build time. Do not edit.\n\n"
        source += "let embeddedMigrations: [(name: String, sql: String)] = [\n"
        for path in arguments.dropFirst() {
            let url = URL(fileURLWithPath: path)
            let sql = try String(contentsOf: url, encoding: .utf8)
            source += "    (name: \(literal(url.deletingPathExtension().lastPathComponent)), sql: \(literal(sql))),\n"
        }
        source += "]\n"
        try source.write(toFile: output, atomically: true, encoding: .utf8)
    }

    /// A raw string literal with enough `#` that no content can close it early.
    private static func literal(_ text: String) -> String {
        var hashes = "#"
        while text.contains("\"" + hashes) || text.contains("\\" + hashes) { hashes += "#" }
        return "\(hashes)\"\"\"\n\(text)\n\"\"\"\(hashes)"
    }
}
