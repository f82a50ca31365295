import ArgumentParser
import Deploy
import Dispatch
import Foundation
import Ledger
import Notifications
import Synchronization

struct Notify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Deliver the configured notifications of the ledger's events.",
        discussion: """
            Sends each event the `notify:` sinks of the configuration want (Slack, signed JSON webhooks, CDEvents) \
            and records every attempt as NotificationDelivered or NotificationFailed. Each sink keeps its position in \
            the ledger, so a restart neither loses nor repeats a notification; a sink seen for the first time starts \
            at the head of the log. Without --watch it delivers what is pending and exits (0 when every delivery \
            succeeded, 2 when one was given up, 1 on error); with --watch it keeps delivering until stopped \
            (SIGTERM or Ctrl-C). `shiplog serve` does the same inside the service.
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("The configuration file (else env SHIPLOG_CONFIG, else ./shiplog.yml).", valueName: "path"))
    var config: String?

    @Flag(help: "Keep delivering new events until stopped.")
    var watch = false

    @Option(help: ArgumentHelp("With --watch: how often to look for new events, e.g. 1s or 500ms.", valueName: "duration"))
    var interval: String = "1s"

    func validate() throws {
        _ = try pollInterval()
    }

    private func pollInterval() throws -> Duration {
        let duration = interval.hasSuffix("ms") ? Int(interval.dropLast(2)).map { Duration.milliseconds($0) } : ShiplogConfiguration.parseDuration(interval)
        guard let duration, duration > .zero else { throw ValidationError("--interval must be a positive duration such as 1s or 500ms, not '\(interval)'") }
        return duration
    }

    func run() async throws {
        let path = config ?? ProcessInfo.processInfo.environment["SHIPLOG_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? "shiplog.yml"
        let configuration = try ShiplogConfiguration.load(path: path)
        guard !configuration.notify.sinks.isEmpty else { throw ValidationError("\(path) has no notify.sinks: nothing to deliver") }
        let store = try EventStore(path: database.path(configuration: configuration), access: .readWrite(create: false))
        var notifier = Notifier(store: store, settings: configuration.notify)
        notifier.pollInterval = try pollInterval()
        let gaveUp = GaveUp()
        notifier.report = { report in
            switch report {
            case .subscribed(let sink, let position):
                emit("\(sink): subscribed at position \(position)")
            case .delivered(let delivered):
                emit("\(delivered.sink): delivered \(delivered.notifiedType) #\(delivered.eventPosition) (\(delivered.deliveryId), attempt \(delivered.attempt), HTTP \(delivered.status))")
            case .failed(let failed):
                if failed.gaveUp { gaveUp.count.add(1, ordering: .relaxed) }
                complain("\(failed.sink): \(failed.gaveUp ? "gave up on" : "failed") \(failed.notifiedType) #\(failed.eventPosition) (\(failed.deliveryId), attempt \(failed.attempt)): \(failed.reason)")
            case .waitingForLease(let holder, let until):
                complain("waiting: \(holder) delivers notifications (its lease runs until \(until))")
            case .fenced(let reason):
                complain("waiting: \(reason)")
            }
        }
        guard watch else {
            try await notifier.deliverPending()
            if gaveUp.count.load(ordering: .relaxed) > 0 { throw ExitCode(2) }
            return
        }
        let configured = notifier
        if try await untilSignalled({ try await configured.run() }) { emit("stopped") }
    }
}

/// How many deliveries were given up, counted from the notifier's reports.
private final class GaveUp: Sendable {
    let count = Atomic<Int>(0)
}
