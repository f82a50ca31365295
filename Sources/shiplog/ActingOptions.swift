import ArgumentParser
import Ledger

/// Options the deploy-family commands share.
struct ActingOptions: ParsableArguments {
    @Option(name: .customLong("on-behalf-of"), help: ArgumentHelp("The person a bot (--actor) acts for; the person is the actor that counts.", valueName: "login"))
    var onBehalfOf: String?

    func validate() throws {
        if let onBehalfOf, !NameRule.isValid(onBehalfOf) { throw ValidationError(NameRule.problem(onBehalfOf, what: "--on-behalf-of")) }
    }
}
