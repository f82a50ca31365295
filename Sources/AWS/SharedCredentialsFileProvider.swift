import Foundation

/// Credentials from a profile of the shared credentials file (`~/.aws/credentials`).
///
/// The file is `AWS_SHARED_CREDENTIALS_FILE` when set, else `$HOME/.aws/credentials`;
/// the profile is `AWS_PROFILE` when set, else `default`. In this file sections are the
/// bare profile name (`[staging]`), unlike `~/.aws/config` which says `[profile staging]`.
public struct SharedCredentialsFileProvider: AWSCredentialProvider {
    public let path: String
    public let profile: String
    /// Whether the profile was asked for explicitly; a missing explicit profile is an error, not a skip.
    private let profileIsExplicit: Bool

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let home = environment["HOME"] ?? NSHomeDirectory()
        self.path = environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "\(home)/.aws/credentials"
        self.profile = environment["AWS_PROFILE"] ?? "default"
        self.profileIsExplicit = environment["AWS_PROFILE"] != nil
    }

    public init(path: String, profile: String = "default") {
        self.path = path
        self.profile = profile
        self.profileIsExplicit = true
    }

    public func credentials() async throws -> AWSCredentials? {
        guard let data = FileManager.default.contents(atPath: path) else {
            if profileIsExplicit, profile != "default" {
                throw failure("profile \(profile) requested but \(path) cannot be read")
            }
            return nil
        }
        let sections = Self.parseINI(String(decoding: data, as: UTF8.self))
        guard let section = sections[profile] else {
            if profileIsExplicit { throw failure("profile \(profile) not found in \(path)") }
            return nil
        }
        guard let accessKeyID = section["aws_access_key_id"], let secret = section["aws_secret_access_key"] else {
            throw failure("profile \(profile) in \(path) lacks aws_access_key_id or aws_secret_access_key")
        }
        return AWSCredentials(accessKeyID: accessKeyID, secretAccessKey: secret, sessionToken: section["aws_session_token"])
    }

    private func failure(_ message: String) -> AWSError {
        AWSError(kind: .credentials, message: message, operation: "credentials:shared-file")
    }

    /// Parses the INI dialect of the AWS files: `[section]`, `key = value`, `#`/`;` comment lines.
    static func parseINI(_ text: String) -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                let name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                current = name
                sections[name, default: [:]] = sections[name, default: [:]]
                continue
            }
            guard let current, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            sections[current, default: [:]][key] = value
        }
        return sections
    }
}
