import ArgumentParser
import Deploy

/// The maintainer's way through a freeze window, for the commands a freeze holds back.
struct FreezeOptions: ParsableArguments {
    @Option(
        name: .customLong("override-freeze"),
        help: ArgumentHelp("Act inside the environment's freeze window anyway, for this reason (maintainers only; recorded).", valueName: "reason"))
    var overrideFreeze: String?

    func validate() throws {
        if let overrideFreeze {
            do {
                try FreezeOverride.check(overrideFreeze)
            } catch let error as DeployError {
                throw ValidationError(error.message)
            }
        }
    }
}
