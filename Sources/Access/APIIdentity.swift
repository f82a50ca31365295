import Ledger

/// Who a request comes from: the token it presented, that token's name (its owner) and role.
public struct APIIdentity: Sendable, Equatable {
    public var tokenId: String
    /// The token's name: the person or bot it was issued to, and the actor of what it records.
    public var name: String
    public var role: Role
    /// The GitHub Actions run a verified ID token was issued to; nil for a shiplog token.
    public var workflow: WorkflowRun?

    public init(tokenId: String, name: String, role: Role) {
        self.tokenId = tokenId
        self.name = name
        self.role = role
    }

    /// A verified GitHub Actions run: its actor is the login that started it, its idempotency keys
    /// are its repository's (a re-run attempt retries the same appends).
    public init(workflow: WorkflowRun, role: Role) {
        tokenId = "oidc:\(workflow.repository)"
        name = workflow.actor
        self.role = role
        self.workflow = workflow
    }

    /// The identity as the access policy sees it.
    public var principal: Principal {
        Principal(name: name, credential: .token(id: tokenId, role: role), workflow: workflow)
    }

    /// The metadata of what this identity records: it is the actor; `onBehalfOf` is the person a
    /// bot acts for, when it says so; the client address is where the request came from. A
    /// workflow run's is what its token says: the run (with its attempt), the commit, the workflow.
    public func metadata(onBehalfOf: String? = nil, clientAddress: String? = nil) -> EventMetadata {
        var metadata = EventMetadata(actor: name, onBehalfOf: onBehalfOf, role: role.rawValue, authMethod: "token", clientAddress: clientAddress)
        if let workflow {
            metadata.authMethod = "github-oidc"
            metadata.source = workflow.url
            metadata.commit = workflow.sha
            metadata.workflowRef = workflow.workflowRef
        }
        return metadata
    }
}
