import Deploy
import Simulation

enum ExampleConfigurationText {
    /// The example configuration with an `api:` section holding `body`.
    static func withAPIRoles(_ body: String) -> String {
        ExampleConfiguration.text + "\napi:\n" + body
    }
}
