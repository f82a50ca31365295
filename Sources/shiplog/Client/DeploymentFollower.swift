import ArgumentParser
import Deploy
import Foundation
import Ledger
import NIOHTTP1

/// A deployment, rollback or promotion run by the service, followed from the CLI: started with
/// one request, then read from the service's event stream step by step, printed as the local
/// command prints its steps, and concluded from the ledger as the engine concludes it, so the
/// summary and the exit code are the local command's.
struct DeploymentFollower {
    let client: ServiceClient

    /// What a `POST` that starts a deployment answers (202).
    struct Accepted: Decodable {
        var id: String
        /// `accepted`: `id` is the deployment; `queued`: `id` is the request, waiting for the
        /// deployment holding the environment.
        var status: String
    }

    /// Sends `body` to `path`, follows what it started to its end, and returns how it ended.
    ///
    /// - Parameters:
    ///   - app, environment: what the request is for; a queued request is followed on the
    ///     environment's claim stream until it claims the environment.
    ///   - tag: what a queued request deploys, for the one-line refusal if it never does.
    /// - Throws: ``DeployError`` when a queued request was superseded or gave up waiting, as the
    ///   local command does; ``ServiceError`` for refusals and an unreachable service.
    func launch(_ path: String, body: some Encodable, app: String, environment: String, tag: String?) async throws -> DeploymentResult {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let answer = try await client.send(.POST, path, body: try encoder.encode(body))
        let accepted = try client.decode(Accepted.self, from: answer, path: path)
        var deploymentId = accepted.id
        if accepted.status == "queued" {
            deploymentId = try await claimed(request: accepted.id, app: app, environment: environment, tag: tag ?? "")
        }
        return try await follow(deploymentId, environment: environment)
    }

    /// Reads the environment's claim stream until `request` claims it.
    private func claimed(request: String, app: String, environment: String, tag: String) async throws -> String {
        let stream = EnvironmentClaim.stream(app: app, environment: environment)
        var first: Date?
        for try await event in try await events(of: stream) {
            first = first ?? Timestamp.date(from: event.recordedAt)
            switch event.type {
            case DeploymentQueued.eventType:
                let queued = try DeploymentQueued.decode(from: event.data)
                guard queued.requestId == request else { continue }
                show(event, since: first, detail: "\(app) \(environment) \(queued.tag) waits (request \(request))")
            case DeploymentClaimed.eventType:
                let claim = try DeploymentClaimed.decode(from: event.data)
                if claim.requestId == request { return claim.deploymentId }
            case DeploymentSuperseded.eventType:
                let superseded = try DeploymentSuperseded.decode(from: event.data)
                guard superseded.requestId == request else { continue }
                throw DeployError.superseded(
                    app: app, environment: environment, tag: superseded.tag, by: superseded.supersededBy, tag: superseded.supersedingTag,
                    actor: superseded.supersededByActor)
            case DeploymentQueueTimedOut.eventType:
                let gaveUp = try DeploymentQueueTimedOut.decode(from: event.data)
                guard gaveUp.requestId == request else { continue }
                throw DeployError.waitTimedOut(app: app, environment: environment, tag: tag, waited: .seconds(gaveUp.waitedSeconds), behind: gaveUp.behind)
            default:
                continue
            }
        }
        throw ServiceError.unreachable("the event stream of \(stream) ended before request \(request) claimed the environment")
    }

    /// Prints `id`'s steps until one concludes it. A staging deploy that the service queued behind
    /// a promotion is answered with the promotion's id: that is said, as locally, and not followed.
    private func follow(_ id: String, environment: String) async throws -> DeploymentResult {
        var seen: [RecordedEvent] = []
        var first: Date?
        for try await event in try await events(of: id) {
            if seen.isEmpty, event.type == DeploymentRequested.eventType {
                let request = try DeploymentRequested.decode(from: event.data)
                if request.environment != environment, let queued = try await queuedBehind(promotion: id, environment: environment) {
                    return queued
                }
            }
            seen.append(event)
            first = first ?? Timestamp.date(from: event.recordedAt)
            show(event, since: first, detail: DeploymentTimeline.summary(of: event))
            if DeploymentResult.concludingEventTypes.contains(event.type), let result = try DeploymentResult.concluded(id: id, events: seen) {
                return result
            }
        }
        throw ServiceError.unreachable("the event stream of \(id) ended before the deployment did")
    }

    /// The staging deploy queued behind `promotion`: the newest `PromotionQueued` for it.
    private func queuedBehind(promotion: String, environment: String) async throws -> DeploymentResult? {
        var queued: PromotionQueued?
        var after: Int64 = 0
        while true {
            let page = try await client.eventPage(stream: nil, type: PromotionQueued.eventType, actor: nil, after: after, limit: 1000)
            for line in page.lines {
                let payload = try PromotionQueued.decode(from: try RecordedEvent.fromService(line).data)
                if payload.promotion == promotion && payload.environment == environment { queued = payload }
            }
            guard page.lines.count == 1000 else { break }
            after = page.nextAfter
        }
        return queued.map { DeploymentResult(id: promotion, app: $0.app, environment: $0.environment, tag: $0.tag, outcome: .inProgress, isQueued: true) }
    }

    private func show(_ event: RecordedEvent, since first: Date?, detail: String) {
        var elapsed = Duration.zero
        if let first, let now = Timestamp.date(from: event.recordedAt) { elapsed = .milliseconds(Int64(now.timeIntervalSince(first) * 1000)) }
        emit(DeploymentProgress(deploymentId: event.stream, elapsed: elapsed, step: event.type, detail: detail).line)
    }

    /// `stream`'s events from its first, then as they are appended. A stream that breaks off is
    /// opened again after the last event read, for up to ten minutes of failures: the service
    /// carries on whether or not anyone watches.
    private func events(of stream: String) async throws -> AsyncThrowingStream<RecordedEvent, any Error> {
        let client = client
        return AsyncThrowingStream { continuation in
            let reader = Task {
                var after: Int64 = 0
                var failingSince: ContinuousClock.Instant?
                while !Task.isCancelled {
                    do {
                        for try await line in try await client.eventStream("/api/v1/events/stream", query: [("stream", stream), ("after", String(after))]) {
                            guard line.hasPrefix("data:") else { continue }
                            let event = try RecordedEvent.fromService(Substring(line.dropFirst(5).drop { $0 == " " }))
                            after = event.position
                            failingSince = nil
                            continuation.yield(event)
                        }
                    } catch let error as ServiceError where error.isUnreachable {
                        let since = failingSince ?? .now
                        failingSince = since
                        if ContinuousClock.now - since > .seconds(600) { return continuation.finish(throwing: error) }
                        try? await Task.sleep(for: .seconds(2))
                    } catch {
                        return continuation.finish(throwing: error)
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in reader.cancel() }
        }
    }
}

extension RecordedEvent {
    /// The event of a log line the service sent; not one is a service that is not shiplog.
    static func fromService(_ line: Substring) throws -> RecordedEvent {
        guard let event = RecordedEvent(line: line) else {
            throw ServiceError.notShiplog("the service sent an event that is not the log's: \(line.prefix(120))")
        }
        return event
    }
}
