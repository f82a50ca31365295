/// Who asks to do something: a token's owner over HTTP, or the actor of a CLI command.
public struct Principal: Sendable, Equatable {
    /// How the principal proved who it is.
    public enum Credential: Sendable, Equatable {
        /// A bearer token, with the role it was issued.
        case token(id: String, role: Role)
        /// `--actor`, `SHIPLOG_ACTOR` or `GITHUB_ACTOR` on a machine that holds the ledger file.
        case cli
    }

    /// The actor of what it records: the token's name, or the CLI's actor.
    public var name: String
    public var credential: Credential
    /// The GitHub Actions run a verified ID token names: what it records may not say otherwise.
    public var workflow: WorkflowRun?

    public init(name: String, credential: Credential, workflow: WorkflowRun? = nil) {
        self.name = name
        self.credential = credential
        self.workflow = workflow
    }

    /// The scope of its idempotency keys: one token's keys are not another's.
    public var idempotencyScope: String {
        switch credential {
        case .token(let id, _): "token:\(id)"
        case .cli: "cli:\(name)"
        }
    }
}
