import ArgumentParser
import Foundation
import Ledger

struct Rebuild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Drop every projection and replay the log into them.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let store = try global.openStore(.readWrite(create: false))
        let report = try await store.rebuild()
        emit("rebuilt environment_state, deployments, audit from \(report.events) events (\(report.applied) applied) in \(String(format: "%.3f", report.seconds)) s")
    }
}
