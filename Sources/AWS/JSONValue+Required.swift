// Reading required fields of a response, failing with an error that names the field.
extension JSONValue {
    /// The string at `key`, or a ``AWSError/Kind/malformedResponse`` error naming the field and operation.
    public func requiredString(_ key: String, in operation: String) throws -> String {
        guard let value = self[key]?.stringValue else { throw Self.missing(key, operation) }
        return value
    }

    /// The object at `key`, or a ``AWSError/Kind/malformedResponse`` error naming the field and operation.
    public func requiredObject(_ key: String, in operation: String) throws -> JSONValue {
        guard let value = self[key], value.objectValue != nil else { throw Self.missing(key, operation) }
        return value
    }

    /// The array at `key`, or a ``AWSError/Kind/malformedResponse`` error naming the field and operation.
    public func requiredArray(_ key: String, in operation: String) throws -> [JSONValue] {
        guard let value = self[key]?.arrayValue else { throw Self.missing(key, operation) }
        return value
    }

    private static func missing(_ key: String, _ operation: String) -> AWSError {
        AWSError(kind: .malformedResponse, message: "response lacks \(key)", operation: operation)
    }
}
