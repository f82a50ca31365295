import Foundation
import TestSupport

/// Headless chromium driven over the DevTools protocol, for browser tests that click and type.
///
/// With `--remote-debugging-pipe` chromium reads commands on file descriptor 3 and writes answers
/// on 4, each a JSON text ended by a NUL; a shell puts the process's stdin and stdout there. The
/// page is the real one from the real service: its cookies, scripts and Content-Security-Policy
/// apply as in any browser (DevTools' own `Runtime.evaluate` is not bound by the page's CSP).
final class ChromiumDevTools: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let process = Process()
    private let commands = Pipe()
    private let answers = Pipe()
    private let directory = TemporaryDirectory()
    private let lock = NSLock()
    private var received = Data()
    private var lastId = 0
    private var waiting: [Int: CheckedContinuation<Data, any Error>] = [:]
    private var closed = false
    /// The tab later commands go to.
    private var sessionId: String?

    init(_ binary: String) throws {
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [
            "-c", #"exec "$0" "$@" 3<&0 4>&1 </dev/null >/dev/null"#, binary, "--headless", "--no-sandbox", "--disable-gpu",
            "--hide-scrollbars", "--remote-debugging-pipe", "--user-data-dir=\(directory.path("profile"))", "about:blank",
        ]
        process.standardInput = commands
        process.standardOutput = answers
        process.standardError = FileHandle.nullDevice
        try process.start()
        // A thread of its own blocks on the pipe, never one of the cooperative pool's.
        let handle = answers.fileHandleForReading
        Thread { [weak self] in
            while true {
                let data = handle.availableData
                self?.receive(data)
                if data.isEmpty { return }
            }
        }.start()
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    /// Opens a tab at `url`; later commands go to it.
    func open(_ url: String) async throws {
        let target = try await send("Target.createTarget", ["url": url], inTab: false)
        let attached = try await send("Target.attachToTarget", ["targetId": target["targetId"] as? String ?? "", "flatten": true], inTab: false)
        lock.withLock { sessionId = attached["sessionId"] as? String }
    }

    func navigate(_ url: String) async throws {
        _ = try await send("Page.navigate", ["url": url])
    }

    /// The value of the JavaScript `expression` in the tab (strings, numbers, booleans, null).
    @discardableResult
    func evaluate(_ expression: String) async throws -> Any? {
        let answer = try await send("Runtime.evaluate", ["expression": expression, "returnByValue": true])
        if let exception = answer["exceptionDetails"] { throw Failure(description: "\(expression) threw: \(exception)") }
        return (answer["result"] as? [String: Any])?["value"]
    }

    /// Waits until `condition`, a JavaScript expression, is true in the tab, across navigations
    /// (an evaluation the navigation interrupts counts as not yet).
    func waitUntil(_ condition: String, timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if (try? await evaluate(condition)) as? Bool == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        let page = (try? await evaluate("location.href + '\\n' + document.body.innerText")) as? String
        throw Failure(description: "waited \(timeout) for \(condition); the tab shows \(page ?? "nothing")")
    }

    /// A PNG of the tab.
    func screenshot() async throws -> Data {
        let answer = try await send("Page.captureScreenshot", ["format": "png"])
        return Data(base64Encoded: answer["data"] as? String ?? "") ?? Data()
    }

    func close() {
        if process.isRunning { process.terminate() }
    }

    /// Sends one command and returns its result.
    private func send(_ method: String, _ parameters: [String: Any] = [:], inTab: Bool = true) async throws -> [String: Any] {
        let (id, sessionId) = lock.withLock {
            lastId += 1
            return (lastId, self.sessionId)
        }
        var message: [String: Any] = ["id": id, "method": method, "params": parameters]
        if inTab, let sessionId { message["sessionId"] = sessionId }
        let payload = try JSONSerialization.data(withJSONObject: message) + Data([0])
        let data = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Data, any Error>) in
            let isClosed = lock.withLock {
                if !closed { waiting[id] = continuation }
                return closed
            }
            if isClosed {
                continuation.resume(throwing: Failure(description: "chromium has exited"))
            } else {
                commands.fileHandleForWriting.write(payload)
            }
        }
        let answer = (try JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        if let error = answer["error"] { throw Failure(description: "\(method): \(error)") }
        return answer["result"] as? [String: Any] ?? [:]
    }

    /// Answers the commands waiting for the NUL-ended messages in `data`; empty data is the end.
    private func receive(_ data: Data) {
        var answered: [(CheckedContinuation<Data, any Error>, Data)] = []
        var abandoned: [CheckedContinuation<Data, any Error>] = []
        lock.withLock {
            guard !data.isEmpty else {
                closed = true
                abandoned = Array(waiting.values)
                waiting = [:]
                return
            }
            received.append(data)
            while let end = received.firstIndex(of: 0) {
                let message = Data(received[received.startIndex..<end])
                received = Data(received[received.index(after: end)...])
                let id = ((try? JSONSerialization.jsonObject(with: message)) as? [String: Any])?["id"] as? Int
                if let id, let continuation = waiting.removeValue(forKey: id) { answered.append((continuation, message)) }
            }
        }
        for (continuation, message) in answered { continuation.resume(returning: message) }
        for continuation in abandoned { continuation.resume(throwing: Failure(description: "chromium has exited")) }
    }
}
