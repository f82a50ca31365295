import Foundation

/// The deployment rows of an export, kept compact while an audit walks the events: each row in
/// its canonical JSON form (one allocation, as ``ReportDeployment/appendJSON(to:)`` writes it) with
/// its id, rather than as a struct of a dozen strings. Two rows are equal exactly when their
/// canonical forms are.
public struct ExportedRows: Sendable {
    public private(set) var ids: [String] = []
    private var rows: [[UInt8]] = []

    public init() {}

    public init(_ deployments: [ReportDeployment]) {
        for deployment in deployments { append(deployment) }
    }

    public var count: Int { rows.count }

    public mutating func append(_ deployment: ReportDeployment) {
        ids.append(deployment.id)
        rows.append(Self.canonical(deployment))
    }

    /// Whether row `index` is `deployment`.
    func matches(_ index: Int, _ deployment: ReportDeployment) -> Bool {
        rows[index] == Self.canonical(deployment)
    }

    /// Row `index` as a struct again.
    func deployment(at index: Int) throws -> ReportDeployment {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(ReportDeployment.self, from: Data(rows[index]))
    }

    /// Every row as a struct, in order.
    func deployments() throws -> [ReportDeployment] {
        try rows.indices.map(deployment(at:))
    }

    static func canonical(_ deployment: ReportDeployment) -> [UInt8] {
        var bytes: [UInt8] = []
        deployment.appendJSON(to: &bytes)
        return bytes
    }
}
