/// A configuration file shiplog refuses, on one line: the file, the key, what is wrong.
///
/// `shiplog.yml: apps.api.environments.staging.cluster: missing`
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, to switch on.
    public enum Code: String, Sendable, Hashable {
        case unreadable, notYAML, invalid
    }

    public let code: Code
    public let file: String
    /// The dotted path of the key (`apps.api.containers`); empty for the whole file.
    public let key: String
    public let message: String

    private init(_ code: Code, file: String, key: String, _ problem: String) {
        self.code = code
        self.file = file
        self.key = key
        self.message = key.isEmpty ? "\(file): \(problem)" : "\(file): \(key): \(problem)"
    }

    public var description: String { message }

    /// The file is missing or cannot be read.
    public static func unreadable(file: String) -> ConfigurationError {
        ConfigurationError(.unreadable, file: file, key: "", "cannot read the configuration (missing? run `shiplog init` to write an example)")
    }

    /// The file is not YAML at all.
    public static func notYAML(file: String, _ detail: String) -> ConfigurationError {
        ConfigurationError(.notYAML, file: file, key: "", "not valid YAML: \(detail)")
    }

    /// A key is missing, of the wrong kind, unknown, or has a value shiplog cannot use.
    public static func invalid(file: String, key: String, _ problem: String) -> ConfigurationError {
        ConfigurationError(.invalid, file: file, key: key, problem)
    }
}
