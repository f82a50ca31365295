import Ledger

/// Who a request comes from: the token it presented, that token's name (its owner) and role.
public struct APIIdentity: Sendable, Equatable {
    public var tokenId: String
    /// The token's name: the person or bot it was issued to, and the actor of what it records.
    public var name: String
    public var role: Role

    public init(tokenId: String, name: String, role: Role) {
        self.tokenId = tokenId
        self.name = name
        self.role = role
    }

    /// The identity as the access policy sees it.
    public var principal: Principal {
        Principal(name: name, credential: .token(id: tokenId, role: role))
    }

    /// The metadata of what this identity records: it is the actor; `onBehalfOf` is the person a
    /// bot acts for, when it says so; the client address is where the request came from.
    public func metadata(onBehalfOf: String? = nil, clientAddress: String? = nil) -> EventMetadata {
        EventMetadata(actor: name, onBehalfOf: onBehalfOf, role: role.rawValue, authMethod: "token", clientAddress: clientAddress)
    }
}
