import Foundation
import Ledger

extension RecordedEvent {
    /// The event a log line (``RecordedEvent/jsonLine()``) stands for, its data and metadata kept
    /// as the exact text the hash covers, so a client can recompute the chain from what it is sent.
    ///
    /// - Returns: `nil` when `line` is not such a line.
    init?(line: Substring) {
        struct Scalars: Decodable {
            var position: Int64
            var id: String
            var stream: String
            var version: Int64
            var type: String
            var recordedAt: String
            var prevHash: String
            var hash: String
        }
        guard let members = JSONObjectText.members(of: line), let data = members["data"], let metadata = members["metadata"],
              let scalars = try? ServiceClient.decoder.decode(Scalars.self, from: Data(line.utf8)),
              let prevHash = [UInt8](hex: scalars.prevHash), let hash = [UInt8](hex: scalars.hash) else { return nil }
        self.init(position: scalars.position, id: scalars.id, stream: scalars.stream, version: scalars.version, type: scalars.type,
                  data: String(data), metadata: String(metadata), recordedAt: scalars.recordedAt, prevHash: prevHash, hash: hash)
    }
}
