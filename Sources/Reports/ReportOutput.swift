/// Where a report's bytes go: collected in a small buffer and handed on a
/// chunk at a time, so an export of any size is written as it is read.
///
/// ```swift
/// let output = ReportOutput { try FileHandle.standardOutput.write(contentsOf: $0) }
/// try ReportFormat.json.write(request, from: store, to: output)
/// ```
public final class ReportOutput {
    /// The size a chunk is handed on at; one row larger than the rest makes one larger chunk.
    public static let chunkSize = 64 * 1024

    /// The bytes not yet handed on; renderers append to it, then call ``flushIfFull()``.
    var buffer: [UInt8] = []
    private let deliver: ([UInt8]) throws -> Void

    /// - Parameter deliver: takes each chunk, in order (a file handle's write, an HTTP body writer).
    public init(_ deliver: @escaping ([UInt8]) throws -> Void) {
        self.deliver = deliver
        buffer.reserveCapacity(Self.chunkSize * 2)
    }

    func write(_ text: String) {
        buffer += text.utf8
    }

    func write(_ bytes: some Sequence<UInt8>) {
        buffer += bytes
    }

    /// Hands on the buffer once it holds a chunk.
    func flushIfFull() throws {
        if buffer.count >= Self.chunkSize { try flush() }
    }

    /// Hands on whatever is buffered: the end of the report.
    public func flush() throws {
        guard !buffer.isEmpty else { return }
        try deliver(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}

extension ReportOutput {
    /// Runs `body` with an output that collects everything, and returns it (tests, small reports).
    static func collecting(_ body: (ReportOutput) throws -> Void) rethrows -> [UInt8] {
        var bytes: [UInt8] = []
        let output = ReportOutput { bytes += $0 }
        try body(output)
        try? output.flush()
        return bytes
    }
}
