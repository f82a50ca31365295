import Foundation
import PackagePlugin

/// Embeds the contracts and templates kept as files in the target's folders (`.yaml`,
/// `.mustache`, `.css`, `.js`, `.html`) as string constants of `enum EmbeddedResources`, so
/// the binary never looks for them at run time. The target excludes those folders from its
/// sources.
@main
struct ResourcesPlugin: BuildToolPlugin {
    static let extensions: Set<String> = ["yaml", "mustache", "css", "js", "html"]

    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        guard let enumerator = FileManager.default.enumerator(at: target.directoryURL, includingPropertiesForKeys: nil) else {
            return []
        }
        let files = enumerator.compactMap { $0 as? URL }
            .filter { Self.extensions.contains($0.pathExtension) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedResources.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(files.count) resources",
                executable: try context.tool(named: "Embedder").url,
                arguments: [output.path, "--constants", "EmbeddedResources"] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output]
            )
        ]
    }
}
