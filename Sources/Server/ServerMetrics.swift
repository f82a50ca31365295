import Deploy
import Dispatch
import Foundation
import Ledger
import Metrics
import Prometheus
import Replication
import Synchronization

/// The service's metrics, through swift-metrics into one Prometheus registry, which `/metrics`
/// prints in the text format.
///
/// The registry is the service's own rather than the process-wide bootstrap, so that two
/// services in one process (as in the tests) count apart.
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let eventsAppended: Metrics.Counter
    private let head: Metrics.Gauge
    private let drifting: Metrics.Gauge
    private let openStreams: Metrics.Meter
    private let lastPassTime: Metrics.Gauge
    private let lastPassServices: Metrics.Gauge
    private let lastPassCorrected: Metrics.Gauge
    private let clockBehind: Metrics.Counter
    /// How many clock-behind commits `clockBehind` has counted so far.
    private let clockBehindCounted = Mutex(0)

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["shiplog_deployment_duration_seconds"] = [
            .seconds(10), .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(600), .seconds(900), .seconds(1800),
        ]
        factory.durationHistogramBuckets["http_request_duration_seconds"] = [
            .microseconds(250), .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500),
            .seconds(2), .seconds(10),
        ]
        self.factory = factory
        eventsAppended = Metrics.Counter(label: "shiplog_events_appended_total", factory: factory)
        head = Metrics.Gauge(label: "shiplog_ledger_head_position", factory: factory)
        drifting = Metrics.Gauge(label: "shiplog_drifting_services", factory: factory)
        openStreams = Metrics.Meter(label: "shiplog_event_streams_open", factory: factory)
        lastPassTime = Metrics.Gauge(label: "shiplog_reconcile_last_pass_timestamp_seconds", factory: factory)
        lastPassServices = Metrics.Gauge(label: "shiplog_reconcile_last_pass_services", factory: factory)
        lastPassCorrected = Metrics.Gauge(label: "shiplog_reconcile_last_pass_corrected", factory: factory)
        clockBehind = Metrics.Counter(label: "shiplog_ledger_clock_behind_total", factory: factory)
    }

    /// Events this service appended (API, webhooks, deployments it ran are counted by outcome).
    func appended(_ count: Int) {
        eventsAppended.increment(by: count)
    }

    /// A deployment this service ran reached its outcome after `duration`.
    func deploymentFinished(outcome: DeploymentOutcome, duration: Duration?) {
        Metrics.Counter(label: "shiplog_deployments_total", dimensions: [("outcome", outcome.rawValue)], factory: factory).increment()
        if let duration {
            Metrics.Timer(label: "shiplog_deployment_duration_seconds", dimensions: [("outcome", outcome.rawValue)], factory: factory)
                .recordNanoseconds(Int64(duration.components.seconds) * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
        }
    }

    /// The replication's health as `/metrics` is read: the lease, Litestream, its restarts and lag.
    func replication(_ status: Replicator.Status) {
        Metrics.Gauge(label: "shiplog_replication_lease_held", factory: factory).record(status.leaseHeld ? 1 : 0)
        Metrics.Gauge(label: "shiplog_replication_litestream_up", factory: factory).record(status.litestreamRunning ? 1 : 0)
        Metrics.Gauge(label: "shiplog_replication_litestream_restarts", factory: factory).record(status.litestreamRestarts)
        Metrics.Gauge(label: "shiplog_replication_lag_seconds", factory: factory).record(status.lagSeconds)
    }

    /// A client opened, or left, the live event stream.
    func streamOpened() { openStreams.increment() }
    func streamClosed() { openStreams.decrement() }

    /// A request refused with 401 or 403.
    func refused(status: Int) {
        Metrics.Counter(label: "shiplog_access_refused_total", dimensions: [("status", String(status))], factory: factory).increment()
    }

    /// One HTTP request answered: its route (the pattern, not the path), method, status and time.
    func request(method: String, route: String, status: Int, nanoseconds: UInt64) {
        let dimensions = [("method", method), ("route", route), ("status", String(status))]
        Metrics.Counter(label: "http_requests_total", dimensions: dimensions, factory: factory).increment()
        Metrics.Timer(label: "http_request_duration_seconds", dimensions: [("method", method), ("route", route)], factory: factory)
            .recordNanoseconds(Int64(clamping: nanoseconds))
    }

    /// The text format, after reading what the ledger says now: its head, the services drifting,
    /// and the reconciler's last pass (whichever process ran it).
    func exposition(store: EventStore) throws -> String {
        head.record(try store.head()?.position ?? 0)
        let behind = store.clockBehindCommits
        let newlyBehind = clockBehindCounted.withLock { counted in
            defer { counted = max(counted, behind) }
            return max(0, behind - counted)
        }
        if newlyBehind > 0 { clockBehind.increment(by: newlyBehind) }
        drifting.record(try store.environmentStates().filter { $0.drift != nil }.count)
        if let text = try store.serviceState(Reconciler.lastPassKey),
           let last = try? JSONDecoder().decode(LastPass.self, from: Data(text.utf8)),
           let microseconds = ExactTime.microseconds(last.checkedAt) {
            lastPassTime.record(Double(microseconds) / 1_000_000)
            lastPassServices.record(last.servicesChecked)
            lastPassCorrected.record(last.corrected)
        }
        return registry.emitToString()
    }
}
