import Access
import Ledger

/// What `GET /deployments/{id}` shows: the deployment's record and the timeline of its stream.
/// Stored properties only: Mustache reads them by reflection.
struct DeploymentPage: Sendable {
    let identity: APIIdentity
    let formToken: String?
    /// The event types the page refreshes on (the script listens for each by name).
    let liveEvents: String
    /// The deployment's stream: the page refreshes only on events of it.
    let stream: String
    let deployment: DeploymentSummary
    let timeline: [TimelineEntry]
    /// What ECS reported during the rollout, and the tasks that stopped: the ECS console forgets both.
    let rolloutEvents: [RolloutEventRow]
    let hasRolloutEvents: Bool
    let stoppedTasks: [StoppedTaskRow]
    let hasStoppedTasks: Bool

    init(identity: APIIdentity, formToken: String?, record: DeploymentRecord, events: [RecordedEvent]) {
        self.identity = identity
        self.formToken = formToken
        liveEvents = EventTypes.names.joined(separator: " ")
        stream = record.id
        deployment = DeploymentSummary(record)
        timeline = events.map(TimelineEntry.init)
        let rollout = DeploymentTimeline(events: events)
        rolloutEvents = rollout.serviceEvents.map(RolloutEventRow.init)
        hasRolloutEvents = !rolloutEvents.isEmpty
        stoppedTasks = rollout.stoppedTasks.map(StoppedTaskRow.init)
        hasStoppedTasks = !stoppedTasks.isEmpty
    }
}
