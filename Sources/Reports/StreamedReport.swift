import Dispatch
import Foundation
import Ledger
import Synchronization

/// A report written on a thread of its own as its reader takes it, for an
/// HTTP body: the snapshot is read synchronously, so the thread writes into a
/// few chunks of room and waits for the reader to take them.
///
/// ```swift
/// let report = try await StreamedReport.start(.json, request, from: store)
/// for try await chunk in report { try await writer.write(ByteBuffer(bytes: chunk)) }
/// ```
public struct StreamedReport: AsyncSequence, Sendable {
    public typealias Element = [UInt8]

    /// Chunks written ahead of the reader.
    static let room = 4
    /// How long the writer waits for the reader to take a chunk before giving up (and closing its snapshot).
    static let patience: DispatchTimeInterval = .seconds(60)

    private let chunks: AsyncThrowingStream<[UInt8], any Error>
    private let credits: Credits

    /// Starts writing the report of `request` in `format`; returns once everything but the
    /// events is made, so a report that cannot be made throws here, before any byte.
    public static func start(_ format: ReportFormat, _ request: ReportRequest, from store: EventStore) async throws -> StreamedReport {
        let (chunks, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        let credits = Credits(room)
        continuation.onTermination = { _ in credits.cancel() }
        try await withCheckedThrowingContinuation { (started: CheckedContinuation<Void, any Error>) in
            let thread = Thread {
                var waiting = true
                do {
                    try ReportBuilder.read(request, from: store) { report, events in
                        waiting = false
                        started.resume()
                        let output = ReportOutput { chunk in
                            guard credits.take() else { throw CancellationError() }
                            continuation.yield(chunk)
                        }
                        try format.write(report, events: events, to: output)
                    }
                    continuation.finish()
                } catch {
                    if waiting { started.resume(throwing: error) }
                    continuation.finish(throwing: error)
                }
            }
            thread.start()
        }
        return StreamedReport(chunks: chunks, credits: credits)
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(chunks: chunks.makeAsyncIterator(), credits: credits)
    }

    public struct Iterator: AsyncIteratorProtocol {
        var chunks: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator
        let credits: Credits

        public mutating func next() async throws -> [UInt8]? {
            let chunk = try await chunks.next()
            if chunk != nil { credits.give() }
            return chunk
        }
    }

    /// Room for chunks between the writer and the reader.
    final class Credits: Sendable {
        private let semaphore: DispatchSemaphore
        private let cancelled = Mutex(false)

        init(_ room: Int) {
            semaphore = DispatchSemaphore(value: room)
        }

        /// Waits for room for one more chunk; false once the reader is gone or has stalled.
        func take() -> Bool {
            semaphore.wait(timeout: .now() + StreamedReport.patience) == .success && !cancelled.withLock { $0 }
        }

        func give() {
            semaphore.signal()
        }

        func cancel() {
            cancelled.withLock { $0 = true }
            semaphore.signal()
        }
    }
}
