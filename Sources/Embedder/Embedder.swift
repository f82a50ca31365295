import Foundation

/// Writes files into a Swift source as string literals, so the binary that compiles it needs
/// no file at run time. Run by the build plugins, never by hand.
///
///     Embedder OUTPUT.swift --migrations 0001_events.sql 0002_projections.sql ...
///         let embeddedMigrations: [(name: String, sql: String)], in the order given
///     Embedder OUTPUT.swift --constants EmbeddedResources openapi.yaml style.css ...
///         enum EmbeddedResources { static let openapiYaml, styleCss, ... }
@main
enum Embedder {
    static func main() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard arguments.count >= 2 else { usage() }
        let output = arguments[0]
        let source: String
        switch arguments[1] {
        case "--migrations":
            source = try migrations(arguments.dropFirst(2).map(URL.init(fileURLWithPath:)))
        case "--constants" where arguments.count >= 3:
            source = try constants(named: arguments[2], arguments.dropFirst(3).map(URL.init(fileURLWithPath:)))
        default:
            usage()
        }
        try source.write(toFile: output, atomically: true, encoding: .utf8)
    }

    private static func usage() -> Never {
        FileHandle.standardError.write(Data("usage: Embedder OUTPUT (--migrations | --constants ENUM) FILE...\n".utf8))
        exit(2)
    }

    private static func migrations(_ files: [URL]) throws -> String {
        var source = "// Generated from migrations/*.sql at build time. Do not edit.\n\n"
        source += "let embeddedMigrations: [(name: String, sql: String)] = [\n"
        for url in files {
            let sql = try String(contentsOf: url, encoding: .utf8)
            source += "    (name: \(literal(url.deletingPathExtension().lastPathComponent)), sql: \(literal(sql))),\n"
        }
        return source + "]\n"
    }

    /// One constant per file, named after it: `openapi.yaml` becomes `openapiYaml`. The file's
    /// final newline is dropped, as a multi-line string literal drops it.
    private static func constants(named name: String, _ files: [URL]) throws -> String {
        var source = "// Generated at build time from the files named below. Do not edit.\n\n"
        source += "enum \(name) {\n"
        for url in files {
            var text = try String(contentsOf: url, encoding: .utf8)
            if text.hasSuffix("\n") { text.removeLast() }
            source += "    /// \(url.lastPathComponent)\n"
            source += "    static let \(identifier(url.lastPathComponent)) = \(literal(text))\n"
        }
        return source + "}\n"
    }

    private static func identifier(_ fileName: String) -> String {
        let words = fileName.split { !$0.isLetter && !$0.isNumber }.map(String.init)
        return words.enumerated().map { index, word in
            index == 0 ? word.prefix(1).lowercased() + word.dropFirst() : word.prefix(1).uppercased() + word.dropFirst()
        }.joined()
    }

    /// A raw string literal with enough `#` that no content can close it early.
    private static func literal(_ text: String) -> String {
        var hashes = "#"
        while text.contains("\"" + hashes) || text.contains("\\" + hashes) { hashes += "#" }
        return "\(hashes)\"\"\"\n\(text)\n\"\"\"\(hashes)"
    }
}
