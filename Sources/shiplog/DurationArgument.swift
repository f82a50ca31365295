import ArgumentParser
import Deploy

/// A duration on the command line, read as shiplog.yml reads one (`15m`, `900s`, `900`, `1h30m`),
/// so a value that is none is ArgumentParser's own one-line refusal naming the option.
struct DurationArgument: ExpressibleByArgument, CustomStringConvertible, Sendable {
    let duration: Duration
    /// As given, which is also how `--help` shows a default.
    let description: String

    init?(argument: String) {
        guard let duration = ShiplogConfiguration.parseDuration(argument) else { return nil }
        self.duration = duration
        description = argument
    }
}
