import Ledger

/// Whether the verifications production's gates name have passed in staging for the tag staging
/// runs: what `promote` requires, and what the dashboard shows.
///
/// The newest result per verification counts, so a failure recorded after a pass takes it back.
public struct PromotionGates: Sendable, Equatable {
    /// Where one gate stands for the tag.
    public enum State: String, Sendable, Equatable, CaseIterable {
        case passed, failed, missing
    }

    /// One gate: the verification it names and its newest result for the tag, if any.
    public struct Gate: Sendable, Equatable {
        public var name: String
        public var state: State
        public var newest: RecordedVerification?

        public init(name: String, state: State, newest: RecordedVerification?) {
            self.name = name
            self.state = state
            self.newest = newest
        }
    }

    public var app: String
    /// Where results are read (staging) and what a promotion deploys to (production).
    public var source: String
    public var target: String
    /// The tag staging runs.
    public var tag: String
    /// In the order the configuration lists them.
    public var gates: [Gate]

    /// Evaluates `names` against `results` (all for `tag` in `source`, oldest first).
    public init(app: String, source: String, target: String, tag: String, names: [String], results: [RecordedVerification]) {
        self.app = app
        self.source = source
        self.target = target
        self.tag = tag
        var newest: [String: RecordedVerification] = [:]
        for verification in results where verification.result.tag == tag { newest[verification.result.name] = verification }
        gates = names.map { name in
            let found = newest[name]
            let state: State = switch found?.result.outcome {
            case .passed: .passed
            case .failed: .failed
            case nil: .missing
            }
            return Gate(name: name, state: state, newest: found)
        }
    }

    /// True when every gate passed (and when there are none).
    public var passed: Bool { gates.allSatisfy { $0.state == .passed } }

    /// The gates that hold the promotion back.
    public var pending: [Gate] { gates.filter { $0.state != .passed } }

    /// One line: `e2e failed, lighthouse missing for 3f9c2e1 in staging`.
    public var summary: String {
        guard !gates.isEmpty else { return "\(app) has no gates: promotions need no verification" }
        let held = pending.map { "\($0.name) \($0.state.rawValue)" }
        guard !held.isEmpty else { return "gates passed for \(tag) in \(source): \(gates.map(\.name).joined(separator: ", "))" }
        return "gates not passed for \(tag) in \(source): \(held.joined(separator: ", "))"
    }
}

extension PromotionGates {
    /// The gates as `shiplog verification gates` prints them and `GET /api/v1/verifications/gates`
    /// answers: the one shape both the service and its client read and write.
    public struct Report: Codable, Sendable {
        public struct Gate: Codable, Sendable {
            public var name: String
            /// `passed`, `failed` or `missing`.
            public var state: String
            /// The page of the newest result, when there is one and it has a page.
            public var url: String?
        }

        public var app: String
        public var tag: String
        public var gates: [Gate]
        public var passed: Bool
        public var summary: String

        public init(_ gates: PromotionGates) {
            app = gates.app
            tag = gates.tag
            self.gates = gates.gates.map { Gate(name: $0.name, state: $0.state.rawValue, url: $0.newest?.result.url) }
            passed = gates.passed
            summary = gates.summary
        }
    }
}
