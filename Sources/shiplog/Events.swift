import Access
import ArgumentParser
import Foundation
import Ledger

extension ExpectedVersion: ExpressibleByArgument {}

struct Events: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List events as JSON lines, or append events.",
        subcommands: [List.self, Append.self],
        defaultSubcommand: List.self
    )
}

extension Events {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print events as JSON lines, in log order.")

        @OptionGroup var global: DatabaseOptions
        @OptionGroup var service: ServiceOptions

        @Option(help: "Only this stream (e.g. deployment-42).")
        var stream: String?

        @Option(help: ArgumentHelp("Only events after this position.", valueName: "position"))
        var after: Int64 = 0

        @Option(help: "Only events of this type.")
        var type: String?

        @Option(help: "Only events by this person (the one a bot acted for, else the actor).")
        var actor: String?

        @Option(help: "At most this many events.")
        var limit: Int?

        @Flag(help: "Keep printing new events as they are appended (Ctrl-C to stop).")
        var follow = false

        func validate() throws {
            if after < 0 { throw ValidationError("--after must be 0 or more") }
            if let limit, limit <= 0 { throw ValidationError("--limit must be more than 0") }
        }

        func run() async throws {
            if let client = try await service.connect(global) { return try await run(through: client) }
            let store = try global.openStore(.readOnly)
            var filter = EventFilter(stream: stream, type: type, actor: actor, after: after, limit: limit)
            var printed = 0
            while true {
                let events = try store.events(filter)
                for event in events { emit(event.jsonLine()) }
                printed += events.count
                if let last = events.last { filter.after = last.position }
                if let limit, printed >= limit { return }
                if let limit { filter.limit = limit - printed }
                guard follow else { return }
                if events.isEmpty { try await Task.sleep(for: .milliseconds(250)) }
            }
        }
    }

    struct Append: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Append events from standard input or a file.",
            discussion: """
                One JSON object a line: {"stream": "deployment-42", "type": "DeploymentRequested", "data": {...}, \
                "metadata": {...}} ("id" and "metadata" are optional). All lines are appended in one transaction, \
                or none are. The recorded events are printed back as JSON lines with their positions.
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var service: ServiceOptions

        @Option(help: ArgumentHelp("Read events from this file instead of standard input.", valueName: "path"))
        var file: String?

        @Option(help: ArgumentHelp("What the stream must be at: any, no-stream, exists, or a version number.", valueName: "version"))
        var expectedVersion: ExpectedVersion = .any

        @Option(help: "Retrying with the same key and the same events returns the original positions.")
        var idempotencyKey: String?

        @Flag(help: "With a service: fail when it cannot be reached instead of spooling the events (else env SHIPLOG_REQUIRE_LEDGER=1).")
        var requireLedger = false

        @Flag(help: "Append each line on its own as it arrives (not all-or-nothing), printing each event once committed.")
        var each = false

        @Option(help: "With --each: how many appends may be in flight at once (they share commits).")
        var concurrency: Int = 1

        func validate() throws {
            if each && (file != nil || idempotencyKey != nil || expectedVersion != .any) {
                throw ValidationError("--each reads standard input and takes no --file, --idempotency-key or --expected-version")
            }
            if !(1...1024).contains(concurrency) { throw ValidationError("--concurrency must be between 1 and 1024") }
        }

        func run() async throws {
            if let idempotencyKey { _ = try IdempotencyKey(idempotencyKey, scope: "") }
            if let client = try service.client(global.database) { return try await append(through: client) }
            if requireLedger { throw ValidationError("--require-ledger applies to appends through a service (--server or SHIPLOG_URL)") }
            let policy = try global.accessPolicy()
            if each { return try await appendEach(policy) }
            // Parse everything before opening the store: bad input writes nothing.
            let events = try EventLineParser.parse(try input(), defaults: global.metadata)
            let store = try global.openStore(.readWrite(create: false))
            let request = try await RecordingRules(policy: policy, store: store).admit(
                events, by: global.principal, refusalMetadata: global.metadata,
                expectedVersion: expectedVersion, idempotencyKey: idempotencyKey)
            let result = try await store.append(request)
            for event in result.events { emit(event.jsonLine()) }
            if result.deduplicated {
                complain("already appended with idempotency key '\(idempotencyKey ?? "")': nothing new written")
            }
        }

        /// The lines to append: `--file`'s, else standard input's.
        private func input() throws -> String {
            guard let file else {
                return try EventLineParser.text(Array(FileHandle.standardInput.readDataToEndOfFile()), what: "standard input")
            }
            guard let data = FileManager.default.contents(atPath: file) else {
                throw LedgerError.invalidEvent("cannot read \(file): no such file or not readable")
            }
            return try EventLineParser.text(Array(data), what: file)
        }

        /// The same append through the service, in one request: the service's rules decide what
        /// the credential may record, and the recorded events are printed back as locally. When
        /// the service cannot be reached the request is spooled (see ``Spool``) under its
        /// idempotency key, made now when none was given, so however often it is sent later it is
        /// recorded once.
        private func append(through client: ServiceClient) async throws {
            if each { throw ValidationError("--each appends to a local ledger; through a service the lines go in one request") }
            if global.actor != nil { throw ValidationError("--actor names who acts on a local ledger; a service takes it from the token") }
            let environment = ProcessInfo.processInfo.environment
            let context = EventMetadata.fromContext(actor: nil, environment: environment)
            let events = try EventLineParser.parse(try input(), defaults: EventMetadata()).map { event in
                var event = event
                event.metadata = event.metadata.recorderFields(filledFrom: context)
                return event
            }
            let record = SpooledRecord(
                server: client.baseURL, idempotencyKey: idempotencyKey ?? UUID().uuidString.lowercased(),
                body: ServiceClient.appendBody(events, expectedVersion: expectedVersion), events: events.count)
            let required = requireLedger || environment["SHIPLOG_REQUIRE_LEDGER"] == "1"
            guard let appended = try await service.spool(for: client).send(record, through: client, requireLedger: required) else { return }
            for line in try await client.eventLines(at: appended.events.map(\.position)) { emit(String(line)) }
            if appended.deduplicated {
                complain("already appended with idempotency key '\(record.idempotencyKey)': nothing new written")
            }
        }

        /// Streams standard input: every line is appended as soon as it is read,
        /// and printed back only after the commit that holds it returned.
        private func appendEach(_ policy: AccessPolicy) async throws {
            let store = try global.openStore(.readWrite(create: false))
            let rules = RecordingRules(policy: policy, store: store)
            let defaults = global.metadata
            let principal = global.principal
            try await withThrowingTaskGroup(of: Void.self) { group in
                var inFlight = 0
                var number = 0
                while let line = readLine(strippingNewline: true) {
                    number += 1
                    guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
                    let request: AppendRequest
                    do {
                        let event = try EventLineParser.parseLine(line, defaults: defaults)
                        request = try await rules.admit([event], by: principal, refusalMetadata: defaults)
                    } catch let error as LedgerError {
                        throw LedgerError.invalidEvent("line \(number): \(error.message)")
                    }
                    if inFlight == concurrency {
                        try await group.next()
                        inFlight -= 1
                    }
                    group.addTask {
                        for recorded in try await store.append(request).events { emit(recorded.jsonLine()) }
                    }
                    inFlight += 1
                }
                try await group.waitForAll()
            }
        }
    }
}

extension Events.List {
    /// The same listing through the service, page by page; `--follow` asks again for what is new.
    private func run(through client: ServiceClient) async throws {
        var after = after
        var printed = 0
        while true {
            let pageLimit = min(1000, limit.map { $0 - printed } ?? 1000)
            let page = try await client.eventPage(stream: stream, type: type, actor: actor, after: after, limit: pageLimit)
            for line in page.lines { emit(String(line)) }
            printed += page.lines.count
            after = page.nextAfter
            if let limit, printed >= limit { return }
            if page.lines.count == pageLimit { continue }
            guard follow else { return }
            try await Task.sleep(for: .milliseconds(250))
        }
    }
}
