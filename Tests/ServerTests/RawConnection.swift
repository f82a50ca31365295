import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP connection to 127.0.0.1, for requests no HTTP client would send: HTTP/1.0,
/// oversized headers, malformed request lines, silence.
///
/// Unchecked `Sendable`: one test uses it at a time, and hands it to a thread of its own only to
/// wait for the server, so the wait does not take one of the cooperative threads the server runs
/// on (Dispatch's global queues are those threads here).
final class RawConnection: @unchecked Sendable {
    private let descriptor: Int32

    /// Connects to 127.0.0.1:`port`; reads give up after `timeout`.
    init(port: Int, timeout: Duration = .seconds(5)) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw HarnessError("socket: \(String(cString: strerror(errno)))") }
        let seconds = timeout.components.seconds
        var limit = timeval(tv_sec: Int(seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw HarnessError("connect: \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(descriptor) }

    /// Sends all of `text`; a server that refuses before reading it all may reset the rest.
    func send(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let sent = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return }
            bytes = bytes.dropFirst(sent)
        }
    }

    /// Everything the server sends until it closes the connection, and how long that took;
    /// throws when the server keeps it open past the timeout.
    /// Timed from the call, and read on a thread of its own, so that a late start cannot shorten it.
    func readUntilClosed() async throws -> (text: String, elapsed: Duration) {
        let started = ContinuousClock.now
        return try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try self.blockingReadUntilClosed(since: started) }) }.start()
        }
    }

    private func blockingReadUntilClosed(since started: ContinuousClock.Instant) throws -> (text: String, elapsed: Duration) {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 { return (String(decoding: received, as: UTF8.self), ContinuousClock.now - started) }
            if count < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    throw HarnessError("the server kept the connection open; received so far: \(String(decoding: received.prefix(300), as: UTF8.self))")
                }
                // A reset after the answer: what arrived before it counts.
                return (String(decoding: received, as: UTF8.self), ContinuousClock.now - started)
            }
            received += buffer[..<count]
        }
    }
}

/// One HTTP/1.x response as raw text: its status line, headers (names lower-cased) and body.
struct RawResponse {
    let statusLine: String
    let headers: [String: String]
    let body: String

    init(_ text: String) {
        let parts = text.components(separatedBy: "\r\n\r\n")
        let lines = (parts.first ?? "").components(separatedBy: "\r\n")
        statusLine = lines.first ?? ""
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        self.headers = headers
        body = parts.dropFirst().joined(separator: "\r\n\r\n")
    }

    var status: Int { Int(statusLine.split(separator: " ").dropFirst().first ?? "") ?? 0 }

    /// The message of a `{"error": {"message": ...}}` body; nil for any other body.
    var errorMessage: String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any], object.count == 1,
              let error = object["error"] as? [String: Any], error.count == 1 else { return nil }
        return error["message"] as? String
    }
}
