import ArgumentParser
import Deploy
import Foundation
import Ledger
import Simulation

struct Init: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create the ledger and an example config.",
        discussion: "The config is commented and mirrors the seed; an existing config is kept."
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let config = global.configPath
        let existed = FileManager.default.fileExists(atPath: global.databasePath)
        let store = try global.openStore(.readWrite(create: true))
        store.close()
        emit(existed ? "ledger \(global.databasePath) already exists: migrations are up to date" : "created ledger \(global.databasePath)")
        if FileManager.default.fileExists(atPath: config) {
            emit("kept the existing config \(config)")
        } else {
            guard FileManager.default.createFile(atPath: config, contents: Data(ExampleConfiguration.text.utf8)) else {
                throw LedgerError.storage("cannot write \(config): the directory is missing or read-only")
            }
            emit("wrote an example config to \(config)")
        }
    }
}
